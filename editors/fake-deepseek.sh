# Sourced by the editors' end-to-end scripts (editors/*/test/run.sh): start_fake_deepseek starts
# the fake DeepSeek of tests/fake_deepseek.py answering as editors/neovim/test/e2e_responder.py
# says (or FAKE_RESPONDER, a module:function of that folder), and waits until it answers HTTP;
# e2e_python picks the Python. Needs REPO, PY, KEY, WORK and a `log` function; sets FAKE_PID
# (the caller stops it) and URL.

# The Python the editors start the server from: $PYTHON, else the active virtualenv's, else the
# first on PATH.
e2e_python() {
  if [ -n "${PYTHON:-}" ]; then
    printf '%s\n' "$PYTHON"
  elif [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then
    printf '%s\n' "$VIRTUAL_ENV/bin/python"
  else
    command -v python3 || command -v python
  fi
}

start_fake_deepseek() {
  # --port 0: the fake binds a free port itself (no race between probing a port and binding it)
  # and prints it. The log exists before the loop reads it: the background job's redirection
  # creates it only once the job has forked, and sed on a missing file ended a run (exit 2).
  : >"$WORK/fake.log"
  (
    cd "$REPO"
    PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$REPO/editors/neovim/test:$REPO${PYTHONPATH:+:$PYTHONPATH}" exec "$PY" -u -m tests.fake_deepseek \
      --port 0 --key "$KEY" --responder "${FAKE_RESPONDER:-e2e_responder:respond}"
  ) >"$WORK/fake.log" 2>&1 &
  FAKE_PID=$!

  URL=""
  for _ in $(seq 1 100); do
    URL="$(sed -n 's/^fake-deepseek listening on \(http:[^ ]*\)$/\1/p' "$WORK/fake.log" | head -n1)"
    [ -n "$URL" ] && break
    kill -0 "$FAKE_PID" 2>/dev/null || { log "FAIL: the fake DeepSeek exited"; exit 1; }
    sleep 0.1
  done
  [ -n "$URL" ] || { log "FAIL: the fake DeepSeek did not start within 10 s"; exit 1; }

  # Wait until it answers HTTP.
  "$PY" - "$URL" <<'PYEOF' || { log "FAIL: the fake DeepSeek does not answer at $URL"; exit 1; }
import sys, time, urllib.request
url = sys.argv[1] + "/_fake/requests"
deadline = time.monotonic() + 10
while True:
    try:
        urllib.request.urlopen(url, timeout=1).read()
        break
    except OSError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.1)
PYEOF
  log "fake DeepSeek at $URL (pid $FAKE_PID)"
}
