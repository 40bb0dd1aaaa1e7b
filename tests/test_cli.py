"""The command line: --version, doctor's diagnosis of each problem, usage, and TCP serving."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from deepseek_lsp import __version__
from deepseek_lsp.config import Settings
from deepseek_lsp.doctor import check_endpoint
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import cli_command, server_env
from tests.server_fork import CONSTANTS

#: doctor run as a process checks one kind of query of each language, not four: compiling them
#: all took ~10 s a run at load 15 (21 s with its workers' start), and every query's compiling
#: is test_grammars' question (test_every_query_compiles_with_standard_capture_names).
DOCTOR_ONE_QUERY_KIND = {CONSTANTS: json.dumps({"deepseek_lsp.language_check:QUERY_KINDS": ["imports"]})}


def run(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``deepseek-lsp ARGS`` in a process of its own, forked from the test run's zygote."""
    command, env = cli_command(args, env)
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)


def in_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """``deepseek-lsp *args`` run by ``main`` in this process (what ``__main__`` exits with),
    with ``env``'s DEEPSEEK_ variables: a process of its own costs ~0.7 s of imports a run."""
    from deepseek_lsp.cli import main

    for key in [k for k in os.environ if k.startswith("DEEPSEEK_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith("DEEPSEEK_"):
            monkeypatch.setenv(key, value)
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def doctor(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """``deepseek-lsp doctor`` in this process, for the tests of its endpoint check: its check of
    the languages (five seconds of query compiling, more on a loaded host) is run for real by
    test_doctor_all_good_masks_the_key_and_lists_languages, in a process of its own."""
    from deepseek_lsp import doctor as doctor_module

    monkeypatch.setattr(doctor_module, "check_languages", lambda registry, jobs=1: (["python"], []))
    return in_process(monkeypatch, capsys, env, "doctor", *args)


def test_version(tmp_path) -> None:
    # The real entry point: a new interpreter, as the installed script starts.
    out = subprocess.run(
        [sys.executable, "-m", "deepseek_lsp", "--version"], capture_output=True, text=True, env=server_env(state_dir=str(tmp_path)), timeout=60
    )
    assert out.returncode == 0 and __version__ in out.stdout


def test_doctor_all_good_masks_the_key_and_lists_languages(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        out = run(["doctor"], server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path), **DOCTOR_ONE_QUERY_KIND))
    assert out.returncode == 0, out.stdout + out.stderr
    assert DEFAULT_KEY not in out.stdout and "0123456789abcdef" not in out.stdout
    for lang in ("python", "typescript", "tsx", "go", "rust", "java", "c", "cpp", "javascript"):
        assert lang in out.stdout
    assert "accepts the key" in out.stdout and "deepseek-v4-pro" in out.stdout


def test_doctor_explains_a_rejected_key(tmp_path, monkeypatch, capsys) -> None:
    with FakeDeepSeek() as fake:
        code, out, _ = doctor(monkeypatch, capsys, server_env(fake.url, api_key="sk-wrong-key-999999", state_dir=str(tmp_path)))
    assert code == 1
    assert "401" in out and "DEEPSEEK_API_KEY" in out
    assert "deepseek.apiKey" not in out  # a VS Code setting the extension does not forward
    assert "sk-wrong-key-999999" not in out


def test_doctor_shows_the_settings_as_they_are_written_and_the_name_a_typo_meant(tmp_path, monkeypatch, capsys) -> None:
    """doctor printed "max_output_tokens" and "base_url", spelt nowhere the user writes a
    setting, and of "minSeverty" only that it was unknown."""
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"review": {"minSeverty": "warning"}, "completion": {"languages": {"my_lang": False}}}))
    env = server_env("http://127.0.0.1:9", state_dir=str(tmp_path))
    code, out, _ = doctor(monkeypatch, capsys, env, "--settings", str(settings), "--timeout", "3")
    assert code == 1
    assert "  ! setting: unknown setting 'review.minSeverty' ignored; did you mean 'review.minSeverity'?" in out
    assert '"maxOutputTokens": 4096' in out and '"baseUrl": "http://127.0.0.1:9"' in out
    assert '"fimBaseUrl"' in out and '"dailyBudgetUsd"' in out
    assert "max_output_tokens" not in out and "base_url" not in out
    assert '"my_lang": false' in out  # the user's own names stay as written


def test_doctor_explains_a_missing_key(tmp_path, monkeypatch, capsys) -> None:
    # DeepSeek's own API (the default base URL): a server of one's own is asked without a key.
    env = server_env(state_dir=str(tmp_path))
    del env["DEEPSEEK_API_KEY"]
    code, out, _ = doctor(monkeypatch, capsys, env)
    assert code == 1 and "no API key" in out
    # doctor reads the environment and --settings, not an editor's: a VS Code user was sent to
    # an apiKey setting the extension does not forward, its own command no longer named.
    told = next(line for line in out.splitlines() if "no API key" in line)
    assert "DEEPSEEK_API_KEY" in told and "--settings" in told, told
    assert "'DeepSeek: Set API Key'" in told and "the deepseek section" not in told, told


def test_doctor_tells_where_to_set_the_key_a_server_of_ones_own_asks_for(tmp_path, monkeypatch, capsys) -> None:
    """A gateway (DEEPSEEK_BASE_URL set) answering 401 with no key set at all: doctor said only
    'none is sent there (see 'keys' above)', and the keys line 'no key to 127.0.0.1:PORT', so a
    new user who forgot the key was not told which variable to set."""
    with FakeDeepSeek() as fake:
        env = server_env(fake.url, state_dir=str(tmp_path))
        del env["DEEPSEEK_API_KEY"]
        code, out, _ = doctor(monkeypatch, capsys, env, "--timeout", "5")
    told = next(line for line in out.splitlines() if line.startswith("endpoint: "))
    assert code == 1 and "asks for a key (401), and none is sent there" in told, told
    assert "DEEPSEEK_API_KEY" in told and "--settings" in told, told


def test_doctor_explains_an_unreachable_host(tmp_path, monkeypatch, capsys, refused) -> None:
    env = server_env(refused, state_dir=str(tmp_path))
    code, out, _ = doctor(monkeypatch, capsys, env, "--timeout", "3")
    assert code == 1 and "cannot reach" in out


def test_doctor_never_prints_credentials_in_the_base_url(tmp_path, monkeypatch, capsys) -> None:
    with FakeDeepSeek() as fake:
        url = fake.url.replace("http://", "http://proxyuser:Pr0xyS3cret@")
        code, out, err = doctor(monkeypatch, capsys, server_env(url, api_key=DEFAULT_KEY, state_dir=str(tmp_path)), "--timeout", "5")
    assert code == 1
    assert "Pr0xyS3cret" not in out + err and "proxyuser" not in out
    assert f'"baseUrl": "{fake.url}"' in out and f"endpoint: PROBLEM: {fake.url} " in out


def test_doctor_says_an_invalid_base_url_is_invalid() -> None:
    """httpx.InvalidURL is no httpx.HTTPError: doctor crashed with a traceback."""
    for bad in ("http://127.0.0.1:80x", "https://[::1"):
        ok, message = check_endpoint(Settings(base_url=bad, api_key=DEFAULT_KEY), timeout=2)
        assert not ok and "is invalid" in message


class WebSite(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/moved"):
            self.send_response(301)
            self.send_header("Location", "https://user:pw@www.example.com/login")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"<html><body>Welcome</body></html>" if self.path.startswith("/app") else b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if self.path.startswith("/app") else "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_doctor_sees_that_a_web_page_or_a_redirect_is_not_the_api(tmp_path, monkeypatch, capsys) -> None:
    """Anything that answered below 400 was "all good", though no completion could work there."""
    site = ThreadingHTTPServer(("127.0.0.1", 0), WebSite)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{site.server_address[1]}"
    try:
        for path, says in (
            ("/app", "answered text/html, not the API's model list"),
            ("/moved", "redirects (HTTP 301) to https://www.example.com/login"),
            ("/json", "answered JSON without a model list"),
        ):
            code, out, _ = doctor(monkeypatch, capsys, server_env(base + path, state_dir=str(tmp_path)), "--timeout", "5")
            assert code == 1, out
            assert f"endpoint: PROBLEM: {base}{path}/models {says}" in out
    finally:
        site.shutdown()
        site.server_close()


def test_usage_json_after_nothing_was_spent(tmp_path, monkeypatch, capsys) -> None:
    code, out, err = in_process(monkeypatch, capsys, server_env(state_dir=str(tmp_path)), "usage", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["today"]["total"]["requests"] == 0
    assert data["month"]["total"]["cost_usd"] == 0


def test_usage_that_cannot_read_the_ledger_says_so_and_fails(tmp_path, monkeypatch, capsys) -> None:
    """It printed $0, named the file it had not read and exited 0."""
    (tmp_path / "usage.sqlite3").mkdir()  # unreadable as a database, even for root
    for args in (["usage"], ["usage", "--json"]):
        code, out, err = in_process(monkeypatch, capsys, server_env(state_dir=str(tmp_path)), *args)
        assert code == 1
        assert "cannot read" in err and "usage.sqlite3" in err
    assert json.loads(out)["path"] is None
    fresh = tmp_path / "never-used"
    code, out, _ = in_process(monkeypatch, capsys, server_env(state_dir=str(fresh)), "usage")
    assert code == 0 and "$0.0000, 0 requests" in out  # nothing spent yet: true
    assert not fresh.exists()  # a command that reads creates nothing


def test_usage_counts_one_request_in_the_singular(tmp_path, monkeypatch, capsys) -> None:
    """A new user's first request read "today (…): $0.0016, 1 requests"."""
    from deepseek_lsp.model import Ledger, Usage
    from deepseek_lsp.model.ledger import DB_NAME

    with Ledger(tmp_path / DB_NAME) as ledger:
        ledger.record(feature="completion", model="deepseek-v4-flash", usage=Usage(0, 1000, 0, 10))
    code, out, err = in_process(monkeypatch, capsys, server_env(state_dir=str(tmp_path)), "usage")
    assert code == 0, err
    today, month = [line for line in out.splitlines() if line.startswith(("today (", "month ("))]
    assert today.endswith(", 1 request") and month.endswith(", 1 request"), out


def test_usage_groups_the_thousands_of_large_counts(tmp_path, monkeypatch, capsys) -> None:
    """A month of completions is millions of prompt tokens: `deepseek-lsp usage` printed
    "prompt hit 1234564800 miss 2400", to be read digit by digit, where the editors say
    "1,234,564,800"; and "1200 requests"."""
    from deepseek_lsp.model import Ledger, Usage
    from deepseek_lsp.model.ledger import DB_NAME

    with Ledger(tmp_path / DB_NAME) as ledger:
        for _ in range(1200):
            ledger.record(feature="completion", model="deepseek-v4-flash", usage=Usage(1_028_806, 12, 1_028_806 - 2, 2))
    code, out, err = in_process(monkeypatch, capsys, server_env(state_dir=str(tmp_path)), "usage")
    assert code == 0, err
    model = next(line for line in out.splitlines() if "deepseek-v4-flash" in line)
    assert "requests 1,200  prompt hit 1,234,564,800 miss 2,400  output 14,400" in model, out
    assert ", 1,200 requests," in out, out


@pytest.mark.parametrize(("ending", "code"), [("shutdown and exit", 0), ("exit", 1), ("connection closed", 0)])
def test_serves_over_tcp_and_ends_quietly(tmp_path: Path, ending: str, code: int) -> None:
    """Over TCP the server answers, and ends as over stdio: ``exit`` after ``shutdown`` with
    0, without it with 1, and when the editor's connection closes. ``exit`` printed asyncio's
    "Unhandled exception in client_connected_cb" and a traceback of pygls' SystemExit."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command, env = cli_command(["--tcp", "--port", str(port)], server_env("http://127.0.0.1:9", state_dir=str(tmp_path)))
    proc = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )

    def send(conn: socket.socket, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        conn.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def read_until(conn: socket.socket, mark: bytes) -> None:
        data = b""
        while mark not in data:
            chunk = conn.recv(65536)
            assert chunk, data
            data += chunk

    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=1)
                break
            except OSError:
                assert time.monotonic() < deadline, "server never listened"
                time.sleep(0.1)
        conn.settimeout(20)
        send(conn, {"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}})
        read_until(conn, b"inlineCompletionProvider")
        send(conn, {"method": "initialized", "params": {}})
        if ending == "shutdown and exit":
            send(conn, {"id": 2, "method": "shutdown"})
            read_until(conn, b'"id": 2')
        if ending != "connection closed":
            send(conn, {"method": "exit"})
        conn.close()
        _, stderr = proc.communicate(timeout=20)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == code
    assert "Traceback" not in stderr and "Unhandled exception" not in stderr, stderr


def test_doctor_behind_a_socks_proxy_reports_instead_of_crashing(monkeypatch: Any, capsys: Any) -> None:
    """ALL_PROXY=socks5://... (common for DeepSeek users behind Clash and the like) without the
    optional socksio package: httpx raises ImportError, which doctor does not catch: a
    traceback instead of the diagnosis, and no 'all good'/'problems found' line."""
    for var in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ALL_PROXY", "socks5://user:pw@127.0.0.1:9")
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-0123456789abcdef0123")
    monkeypatch.setenv("DEEPSEEK_BASE_URL", "https://api.deepseek.com")
    code, out, _ = doctor(monkeypatch, capsys, {k: v for k, v in os.environ.items() if k.startswith("DEEPSEEK_")}, "--timeout", "2")
    assert code == 1
    assert "PROBLEM" in out and "pw@" not in out and "0123456789abcdef" not in out


def test_usage_that_cannot_read_the_totals_fails_instead_of_reporting_nothing_spent(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    """The ledger opens but its totals cannot be read (a file of another version or tool with
    no 'daily' table, an I/O error): 'usage' printed $0 and exited 0, which passes for 'nothing
    spent' (README: exit 1 when the ledger cannot be read)."""
    import sqlite3

    from deepseek_lsp.usage_report import print_usage

    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path))
    conn = sqlite3.connect(tmp_path / "usage.sqlite3")
    conn.execute("CREATE TABLE usage_v2 (day TEXT, cost REAL)")
    conn.execute("INSERT INTO usage_v2 VALUES ('2025-01-01', 12.5)")
    conn.commit()
    conn.close()
    assert print_usage() == 1
    assert "daily" in capsys.readouterr().err


def test_a_tcp_port_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    """``--port 99999`` (a typo) or ``-1`` ended in a 25-line traceback of asyncio's bind()."""
    env = server_env("http://127.0.0.1:9", state_dir=str(tmp_path))
    for port in ("99999", "-1", "65536"):
        out = run(["--tcp", "--port", port], env, timeout=30)
        assert out.returncode == 2, out.stderr
        assert "Traceback" not in out.stderr
        assert "--port" in out.stderr and "0-65535" in out.stderr


def test_a_tcp_port_in_use_is_one_clear_line_and_a_failure(tmp_path: Path) -> None:
    """Another server (a second editor, a stale deepseek-lsp) on the port: the user got a
    traceback of asyncio's bind() instead of a sentence naming the port."""
    env = server_env("http://127.0.0.1:9", state_dir=str(tmp_path))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = run(["--tcp", "--port", str(port)], env, timeout=30)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr, out.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in out.stderr and "in use" in out.stderr
    out = run(["--tcp", "--host", "no-such-host.invalid", "--port", "0"], env, timeout=30)
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert "cannot listen on no-such-host.invalid:0" in out.stderr


def test_doctor_blames_a_bad_proxy_setting_not_the_base_url(monkeypatch: Any) -> None:
    """HTTPS_PROXY with a typo in its port: doctor said the (correct) base URL was invalid and
    sent the user to 'baseUrl' / DEEPSEEK_BASE_URL, where there is nothing to fix."""
    for var in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    for proxy in ("http://user:Pr0xyPw@proxy.example:80x", "ftp://user:Pr0xyPw@proxy.example:21"):
        monkeypatch.setenv("HTTPS_PROXY", proxy)
        ok, message = check_endpoint(Settings(base_url="https://api.deepseek.com", api_key=DEFAULT_KEY), timeout=2)
        assert not ok
        assert "HTTPS_PROXY" in message and "proxy" in message
        assert "base URL" not in message and "DEEPSEEK_BASE_URL" not in message
        assert "Pr0xyPw" not in message


def test_doctor_refuses_a_timeout_that_is_no_time(capsys: Any) -> None:
    """``doctor --timeout 0`` (read as "no limit", as in many tools) said a healthy server
    could not be reached ("check the base URL and your network"); -1 and nan blamed the base
    URL, and inf ended in a traceback. They are usage errors."""
    from deepseek_lsp.cli import main

    for bad in ("0", "-1", "nan", "inf", "soon"):
        with pytest.raises(SystemExit) as exit_:
            main(["doctor", "--timeout", bad])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert "--timeout" in err and "Traceback" not in err


def test_usage_with_a_state_folder_that_is_a_file_says_so_and_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """DEEPSEEK_LSP_STATE_DIR naming a file: no server can keep a ledger there (their usage is
    in memory only), yet ``usage`` printed "$0.0000, 0 requests", a ledger path that cannot
    exist and exit 0: "nothing spent", which is not what happened."""
    afile = tmp_path / "state"
    afile.write_text("")
    for state in (afile, afile / "sub"):
        for args in (["usage"], ["usage", "--json"]):
            code, out, err = in_process(monkeypatch, capsys, server_env(state_dir=str(state)), *args)
            assert code == 1, out
            assert "not a folder" in err and str(afile) in err
        assert json.loads(out)["path"] is None
    assert afile.read_text() == ""


def test_tcp_port_0_tells_the_port_it_listens_on(tmp_path: Path) -> None:
    """``--port 0`` (any free port, as test rigs and some editor plugins ask) logged
    "serving on 127.0.0.1:0": nothing could find the server."""
    command, env = cli_command(["--tcp", "--port", "0"], server_env("http://127.0.0.1:9", state_dir=str(tmp_path)))
    proc = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = ""
        deadline = time.monotonic() + 30
        while "serving on" not in line:
            assert time.monotonic() < deadline and proc.poll() is None, line
            line = proc.stderr.readline()
        port = int(line.rsplit(":", 1)[1])
        assert port > 0, line
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            body = json.dumps({"jsonrpc": "2.0", "method": "exit"}).encode()
            conn.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        assert proc.wait(timeout=20) == 1  # exit without shutdown, as the protocol says
    finally:
        proc.kill()
        proc.wait()


def test_usage_with_a_state_folder_it_may_not_read_says_so_and_fails(tmp_path: Path) -> None:
    """A state folder of another user's (0700), or left so by a ``sudo`` run: ``usage`` ended in
    a traceback (PermissionError from checking whether the ledger exists)."""
    import shutil

    locked = tmp_path / "state"
    locked.mkdir()
    env = server_env(state_dir=str(locked))
    cmd, env = cli_command(["usage"], env)
    if os.geteuid() == 0:  # root reads anything: drop the capabilities that let it
        if shutil.which("setpriv") is None:
            pytest.skip("needs setpriv to run without root's file access as root")
        caps = "-dac_override,-dac_read_search"
        # A new interpreter: a forked one would keep the zygote's capabilities.
        cmd = ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", "--", sys.executable, "-m", "deepseek_lsp", "usage"]
    locked.chmod(0)
    try:
        for args in ([], ["--json"]):
            out = subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, timeout=60)
            assert out.returncode == 1
            assert "Traceback" not in out.stderr, out.stderr
            assert "cannot read" in out.stderr and "Permission denied" in out.stderr
        assert json.loads(out.stdout)["path"] is None
    finally:
        locked.chmod(0o700)


def test_doctor_reaches_a_server_on_this_machine_directly_as_the_language_server_does(monkeypatch: Any) -> None:
    """A company proxy in HTTP_PROXY and a self-hosted model on localhost (Ollama, vLLM): the
    language server talks to localhost directly, but doctor sent its check through the proxy,
    which cannot reach the user's machine, and called a working set-up broken."""
    for var in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    with socket.socket() as closed:  # a proxy address where nothing listens
        closed.bind(("127.0.0.2", 0))
        proxy = f"http://127.0.0.2:{closed.getsockname()[1]}"
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("HTTPS_PROXY", proxy)
    with FakeDeepSeek() as fake:
        ok, message = check_endpoint(Settings(base_url=fake.url, api_key=DEFAULT_KEY), timeout=5)
    assert ok, message
    assert "accepts the key" in message


def test_doctor_says_when_the_account_has_no_balance(monkeypatch: Any) -> None:
    """DeepSeek lists its models to a key whose account is empty: doctor said all good and every
    completion then failed with 402. It asks /user/balance too, and shows what is left."""
    for var in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    with FakeDeepSeek() as fake:
        ok, message = check_endpoint(Settings(base_url=fake.url, api_key=DEFAULT_KEY), timeout=5)
        assert ok and "balance 12.50 USD" in message, message
        fake.balance = {"is_available": False, "balance_infos": [{"currency": "CNY", "total_balance": "0.00"}]}
        ok, message = check_endpoint(Settings(base_url=fake.url, api_key=DEFAULT_KEY), timeout=5)
        assert not ok
        assert "no balance" in message and "0.00 CNY" in message and "platform.deepseek.com" in message
        # A server without the route (a gateway passing DeepSeek's API on) is not blamed.
        fake.balance = {"error": {"message": "not found"}}
        ok, message = check_endpoint(Settings(base_url=fake.url, api_key=DEFAULT_KEY), timeout=5)
        assert ok and "balance" not in message, message


def test_doctor_names_a_ca_bundle_that_cannot_be_read(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    """``SSL_CERT_FILE`` naming a missing file (a company CA bundle moved): doctor, the command
    meant to find such problems, ended in a traceback."""
    from deepseek_lsp import tls

    monkeypatch.setattr(tls, "_contexts", {})  # as in a process of its own: nothing loaded yet
    missing = tmp_path / "corp-ca.pem"
    monkeypatch.setenv("SSL_CERT_FILE", str(missing))
    env = {"DEEPSEEK_API_KEY": "sk-0123456789abcdef0123", "DEEPSEEK_BASE_URL": "https://api.deepseek.com"}
    code, out, _ = doctor(monkeypatch, capsys, env, "--timeout", "2")
    assert code == 1
    assert f"PROBLEM: the CA certificates for HTTPS could not be loaded (SSL_CERT_FILE={missing}" in out


def test_version_answers_without_loading_the_server(tmp_path) -> None:
    """``--version`` imported the whole server first (the review engine, lsprotocol): 2.3 s
    on a loaded machine, which Neovim's :checkhealth waited for with the editor frozen, then
    warned that the server "did not answer within 5 s"."""
    probe = (
        "import sys\nfrom deepseek_lsp.cli import main\ncode = main(['--version'])\n"
        "print(code, sorted(m for m in ('lsprotocol', 'deepseek_lsp.review.cli', 'httpx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=server_env(state_dir=str(tmp_path)), timeout=60)
    assert out.stdout.splitlines() == [f"deepseek-lsp {__version__}", "0 []"], out.stdout + out.stderr


def test_usage_prints_without_loading_the_server(tmp_path) -> None:
    """``deepseek-lsp usage`` imported lsprotocol, the model client and the prompts' redaction
    to print a table (0.85 s of CPU; 4 s at a busy machine's load): the ledger alone now, so
    the figures come as soon as the file is read."""
    probe = (
        "import sys\nfrom deepseek_lsp.cli import main\ncode = main(['usage'])\n"
        "heavy = ('lsprotocol', 'pygls', 'deepseek_lsp.model.client', 'deepseek_lsp.privacy.redaction')\n"
        "print(code, sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=server_env(state_dir=str(tmp_path)), timeout=60)
    lines = out.stdout.splitlines()
    assert lines[0].startswith("today (") and "ledger: " in out.stdout, out.stdout + out.stderr
    assert lines[-1] == "0 []", out.stdout + out.stderr


@pytest.mark.parametrize(("written", "backend"), [("ollama", "openai-suffix"), ("vLLM", "fim-template"), ("llama.cpp", "llamacpp-infill"), ("llama-server", "llamacpp-infill")])
def test_a_backend_named_after_its_server_is_told_the_backend_that_server_takes(
    tmp_path, monkeypatch, capsys, written: str, backend: str
) -> None:
    # DEEPSEEK_BACKEND=ollama was "one of 'deepseek', 'openai-suffix', ...": which one is Ollama's
    # was left to a table further down the README.
    env = server_env("http://127.0.0.1:9", state_dir=str(tmp_path), DEEPSEEK_BACKEND=written)
    _, out, _ = doctor(monkeypatch, capsys, env, "--timeout", "1")
    told = next(line for line in out.splitlines() if "for 'backend'" in line)
    assert "DEEPSEEK_BACKEND" in told and f"'{backend}' for" in told, told


@pytest.mark.parametrize(("written", "meant"), [("localhost:11434/v1", "http://localhost:11434/v1"), ("llm.corp/v1", "https://llm.corp/v1")])
def test_a_base_url_without_its_scheme_is_told_as_it_should_be_written(tmp_path, monkeypatch, capsys, written: str, meant: str) -> None:
    # "invalid URL 'localhost:11434/v1'" named no fault: the scheme a URL needs is what is missing.
    env = server_env(written, state_dir=str(tmp_path))
    _, out, _ = doctor(monkeypatch, capsys, env, "--timeout", "1")
    told = next(line for line in out.splitlines() if "for 'baseUrl'" in line)
    assert f"'{meant}'" in told, told


def test_doctor_names_the_timeout_a_silent_server_ran_out_and_how_to_raise_it(tmp_path, monkeypatch, capsys) -> None:
    """A server that takes the connection and says nothing: "did not answer within 1 s" named
    the figure but not where it comes from (doctor's own --timeout, 10 s unless given)."""
    from tests.test_stalled_backend import stalled_server

    with stalled_server() as url:
        env = server_env(url, state_dir=str(tmp_path))
        code, out, _ = doctor(monkeypatch, capsys, env, "--timeout", "1")
    assert code == 1
    port = url.rsplit(":", 1)[1]
    assert f"127.0.0.1:{port} did not answer within 1 s (doctor's --timeout)" in out, out
