#!/usr/bin/env bash
# End-to-end test in Emacs' own LSP client, eglot, with no plugin of ours (what the README's
# "any editor" means): the real deepseek-lsp server, the fake DeepSeek from tests/fake_deepseek.py
# answering as for Neovim's test (editors/neovim/test/e2e_responder.py), Emacs in batch mode.
#
#   editors/emacs/test/run.sh        # from anywhere; uses the active Python / virtualenv
#
# Needs Emacs 28+ with eglot: Emacs 29+ ships it; on Debian 12, `apt-get install emacs-nox
# elpa-eglot elpa-company` (Emacs 28.2, eglot 1.9), which DEEPSEEK_E2E_INSTALL=1 does when they
# are missing (editors/run-e2e, and so CI, sets it). Without them it exits 77 saying what is
# missing: skipped, not passed (editors/run-e2e counts that as a failure).
# Env: PYTHON, DEEPSEEK_E2E_TIMEOUT (seconds Emacs may go without finishing a step, default 90;
# the whole run has no limit: a loaded host's is slow, not hung), DEEPSEEK_E2E_KEEP=1 keeps the
# work dir.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
TIMEOUT="${DEEPSEEK_E2E_TIMEOUT:-90}"
KEY="sk-e2e-$RANDOM$RANDOM-not-a-real-key"
log() { printf '[emacs run.sh] %s\n' "$*"; }

# shellcheck source=../../fake-deepseek.sh
. "$REPO/editors/fake-deepseek.sh"
# shellcheck source=../../watched-run.sh
. "$REPO/editors/watched-run.sh"
PY="$(e2e_python)"
if ! "$PY" -c 'import deepseek_lsp' 2>/dev/null; then
  log "FAIL: deepseek_lsp is not importable by $PY"
  exit 1
fi
export DEEPSEEK_LSP_CMD="${DEEPSEEK_LSP_CMD:-$PY -m deepseek_lsp}"

DEBIAN_PACKAGES="emacs-nox elpa-eglot elpa-company"
LOADS='(progn (package-initialize) (require (quote eglot)) (require (quote company)))'
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
# An apt-get command, run again while another apt holds its lock (2 minutes at most): on a fresh
# machine (unattended-upgrades at boot, a CI image's own apt) it failed at once and the run was
# skipped. sudo drops the environment: DEBIAN_FRONTEND goes through env.
apt_get() {
  local out="" tries=0
  until out="$(as_root env DEBIAN_FRONTEND=noninteractive apt-get "$@" 2>&1)"; do
    case "$out" in
      *"Could not get lock"* | *"Unable to lock"*) ;;
      *) printf '%s\n' "$out" >&2; return 1 ;;
    esac
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || { printf '%s\n' "$out" >&2; return 1; }
    [ "$tries" -gt 1 ] || log "apt is busy (its lock is held): waiting"
    sleep 2
  done
}
if [ "${DEEPSEEK_E2E_INSTALL:-}" = "1" ] && ! emacs --batch --eval "$LOADS" >/dev/null 2>&1; then
  log "apt-get install $DEBIAN_PACKAGES"
  # shellcheck disable=SC2086
  { apt_get update -qq && apt_get install -y -qq $DEBIAN_PACKAGES; } \
    || log "apt-get install $DEBIAN_PACKAGES failed"
fi
if ! command -v emacs >/dev/null 2>&1; then
  log "SKIP (not a pass): no emacs on PATH (Debian: apt-get install $DEBIAN_PACKAGES)"
  exit 77
fi
if ! emacs --batch --eval "$LOADS" >/dev/null 2>&1; then
  log "SKIP (not a pass): $(emacs --version | head -n1) has no eglot or company ($DEBIAN_PACKAGES)"
  exit 77
fi
log "$(emacs --version | head -n1)"
# The user's own packages (eglot or company from ELPA) are in package-user-dir under their HOME,
# where the check above found them: the session runs with a HOME of its own, and failed there
# with "Cannot open load file: eglot" instead of running.
E2E_PACKAGE_DIR="$(emacs --batch --eval \
  '(progn (require (quote package)) (princ (expand-file-name package-user-dir)))' 2>/dev/null || true)"
export E2E_PACKAGE_DIR

WORK="$(mktemp -d "${TMPDIR:-/tmp}/deepseek-emacs-e2e.XXXXXX")"
FAKE_PID=""
WATCHED_PID=""
cleanup() {
  local rc=$?
  if [ -n "$WATCHED_PID" ] && kill -0 "$WATCHED_PID" 2>/dev/null; then
    kill "$WATCHED_PID" 2>/dev/null || true
  fi
  if [ -n "$FAKE_PID" ] && kill -0 "$FAKE_PID" 2>/dev/null; then
    kill "$FAKE_PID" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ]; then
    for f in "$WORK/fake.log" "$WORK/messages.log"; do
      [ -s "$f" ] && { log "--- last lines of $f"; tail -n 40 "$f" | sed 's/^/    /'; }
    done
  fi
  if [ "${DEEPSEEK_E2E_KEEP:-}" = "1" ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_fake_deepseek

mkdir -p "$WORK/project" "$WORK/state" "$WORK/home"
export DEEPSEEK_BASE_URL="$URL" DEEPSEEK_API_KEY="$KEY" DEEPSEEK_LSP_STATE_DIR="$WORK/state"
unset DEEPSEEK_FIM_BASE_URL || true
export E2E_PROJECT="$WORK/project" E2E_WORK="$WORK"
set +e
# The steps' lines are on Emacs's stderr (batch mode's output).
run_watched "$TIMEOUT" "$WORK/emacs.out" \
  sh -c 'exec "$@" 2>&1' sh env HOME="$WORK/home" emacs --batch -l "$HERE/e2e.el"
RC=$?
set -e
[ "$RC" -eq 0 ] || { log "FAIL (exit $RC)"; exit 1; }
log "PASS"
