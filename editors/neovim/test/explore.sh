#!/usr/bin/env bash
# Exploration of real typing in Neovim (explore.lua): the real server, the fake DeepSeek answering
# what the originals hold next (explore_responder.py).
#
#   EXPLORE_DIR=originals EXPLORE_PLAN=plan.json [EXPLORE_OUT=results.json] explore.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PLUGIN="$(dirname "$HERE")"
REPO="$(cd "$PLUGIN/../.." && pwd)"
KEY="sk-explore-$RANDOM$RANDOM-not-a-real-key"
. "$PLUGIN/../fake-deepseek.sh"
PY="$(e2e_python)"
log() { printf '[explore.sh] %s\n' "$*"; }
: "${EXPLORE_DIR:?the folder of the originals}" "${EXPLORE_PLAN:?the scenarios (JSON)}"
EXPLORE_DIR="$(cd "$EXPLORE_DIR" && pwd)"
export EXPLORE_DIR EXPLORE_PLAN
WORK="$(mktemp -d "${TMPDIR:-/tmp}/deepseek-nvim-explore.XXXXXX")"
export EXPLORE_WORK="$WORK/files"
FAKE_PID=""
cleanup() {
  [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null || true
  [ "${DEEPSEEK_E2E_KEEP:-}" = "1" ] && log "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
# The fake answering from the originals.
FAKE_RESPONDER=explore_responder:respond start_fake_deepseek
mkdir -p "$WORK/state" "$WORK/xdg/config" "$WORK/xdg/data" "$WORK/xdg/state" "$WORK/xdg/cache" "$EXPLORE_WORK"
export DEEPSEEK_BASE_URL="$URL" DEEPSEEK_API_KEY="$KEY" DEEPSEEK_LSP_STATE_DIR="$WORK/state"
export XDG_CONFIG_HOME="$WORK/xdg/config" XDG_DATA_HOME="$WORK/xdg/data"
export XDG_STATE_HOME="$WORK/xdg/state" XDG_CACHE_HOME="$WORK/xdg/cache"
if [ -z "${DEEPSEEK_LSP_CMD:-}" ]; then
  DEEPSEEK_LSP_CMD="$PY -m deepseek_lsp"
fi
export DEEPSEEK_LSP_CMD
cd "$REPO"
timeout --kill-after=5 "${EXPLORE_TIMEOUT:-1200}" nvim --headless --clean -u "$HERE/minimal_init.lua" -l "$HERE/explore.lua" 2>"$WORK/nvim.stderr" || {
  log "FAIL (exit $?)"; tail -n 30 "$WORK/nvim.stderr"; exit 1; }
