# Sourced by the editors' end-to-end scripts (editors/*/test/run.sh). run_watched runs an editor
# whose steps each print a line, shows those lines as they come, and ends it (with what it
# started: the server, a child editor) once it has printed nothing for a while: a hung editor.
# A limit on the whole run instead failed healthy runs of a loaded host: Neovim's ~100 steps
# went past 90 s at load 8 on 2 cores, and each step already has its own limits on
# what it waits for (15 s). Needs a `log` function.

# run_watched SECONDS OUT CMD...: CMD's stdout appended to OUT and shown; ended once OUT has not
# grown for SECONDS. Returns CMD's exit status, 124 when it was ended so. Sets WATCHED_PID (the
# caller's cleanup ends it where the script itself is stopped).
run_watched() {
  local quiet_limit="$1" out="$2" size=-1 now since="$SECONDS" rc
  shift 2
  : >>"$out"
  # timeout with no time limit of its own: it runs CMD in a process group of its own, and a
  # TERM sent to it ends the group (KILL 5 s later), the editor's children included.
  timeout --kill-after=5 0 "$@" >>"$out" &
  local pid=$!
  WATCHED_PID=$pid
  tail -n +1 -f --pid="$pid" "$out" &
  local shown=$!
  while kill -0 "$pid" 2>/dev/null; do
    now="$(stat -c %s "$out")"
    if [ "$now" != "$size" ]; then
      size="$now" since="$SECONDS"
    elif [ $((SECONDS - since)) -ge "$quiet_limit" ]; then
      log "FAIL: nothing printed for ${quiet_limit}s (a step hung); ending the run"
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      wait "$shown" 2>/dev/null || true
      return 124
    fi
    sleep 1
  done
  rc=0
  wait "$pid" || rc=$?
  wait "$shown" 2>/dev/null || true
  return "$rc"
}
