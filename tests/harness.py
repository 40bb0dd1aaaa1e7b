"""Start the real server over stdio (pytest-lsp) as an editor would, for end-to-end tests."""

from __future__ import annotations

import asyncio
import atexit
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

import deepseek_lsp
from deepseek_lsp.timeouts import within
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek

SERVER = [sys.executable, "-m", "deepseek_lsp"]
_REAL = list(SERVER)
_FORK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "server_fork.py")
#: The zygote the sessions' servers are forked from (tests/server_fork.py), started with the
#: first session: its socket and the environment it imported the server in.
_zygote: tuple[subprocess.Popen[bytes], str, dict[str, str]] | None = None
#: How long a new zygote may take to listen on its socket.
ZYGOTE_LISTENS_S = 10.0
#: How long a session's server may take to answer its shutdown (it gives its work 2 s).
SHUTDOWN_ANSWERED_S = 60.0


def server_command(env: dict[str, str]) -> list[str]:
    """The command that starts ``SERVER`` with ``env``: forked from the zygote, which has the
    server imported already, unless a test changed the command or the environment differs in
    what is read while importing (then the real command). ``DEEPSEEK_TEST_FORK=0``: never."""
    from tests import server_fork

    if SERVER[: len(_REAL)] != _REAL:
        return SERVER
    if os.environ.get("DEEPSEEK_TEST_FORK") == "0":
        return _real(env)
    global _zygote
    if _zygote is None or _zygote[0].poll() is not None:
        base = {k: v for k, v in os.environ.items() if not k.startswith("DEEPSEEK_")}
        path = os.path.join(tempfile.mkdtemp(prefix="deepseek-zygote-"), "socket")
        # stdin: its end is the test run's end. Its output goes nowhere: started inside a
        # test, it would hold that test's captured stdout for good.
        proc = subprocess.Popen(
            [sys.executable, _FORK, "serve", path],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=base,
        )
        _zygote = (proc, path, server_fork.import_time_environment(base))
        atexit.register(_stop_zygote, proc)
        # Until it listens (its interpreter's start, ~50 ms, more at load): a launcher started
        # before found no socket and ran the real server, a new interpreter's imports and
        # tokenizer load, in the first session of a worker now and then.
        deadline = time.monotonic() + ZYGOTE_LISTENS_S
        while not os.path.exists(path) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
    _, path, imported_with = _zygote
    if server_fork.import_time_environment(env) != imported_with:
        return _real(env)
    return [sys.executable, _FORK, "launch", path, *SERVER[len(_REAL) :]]


def _real(env: dict[str, str]) -> list[str]:
    """The server in a new interpreter: ``SERVER``, or with the test's module constants set
    first where it set some (``server_fork.CONSTANTS``)."""
    from tests import server_fork

    if env.get(server_fork.CONSTANTS):
        return [sys.executable, _FORK, "run", "-", *SERVER[len(_REAL) :]]
    return SERVER


#: The deepseek_lsp under test and the tests' package: what a new interpreter started in another
#: folder (a project's, for ``review``) must import.
IMPORT_PATH = os.pathsep.join(
    [os.path.dirname(os.path.dirname(os.path.abspath(deepseek_lsp.__file__))), os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
)


def cli_command(args: list[str], env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The command and environment for ``deepseek-lsp ARGS`` as a process of its own (its
    streams, folder, signals and exit status), forked from the zygote as the sessions' servers
    are: ~50 ms of CPU where a new interpreter's imports cost 1-3 s. For a test of the entry
    point itself (``--version``, what a start imports) run ``python -m deepseek_lsp`` instead."""
    command = server_command(env)
    if command[1:2] != [_FORK] or command[2] == "run":  # a new interpreter, maybe in another folder
        env = {**env, "PYTHONPATH": IMPORT_PATH}
    return [*command, *args], env


def _stop_zygote(proc: subprocess.Popen[bytes]) -> None:
    if proc.stdin is not None:
        proc.stdin.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()


def server_env(base_url: str | None = None, api_key: str = "sk-test-0123456789", state_dir: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPSEEK_")}
    env["DEEPSEEK_API_KEY"] = api_key
    if base_url:
        env["DEEPSEEK_BASE_URL"] = base_url
    if state_dir:
        env["DEEPSEEK_LSP_STATE_DIR"] = state_dir
    env.update(extra)
    return env


def capabilities(editor: str = "visual_studio_code", *, inline: bool = True) -> types.ClientCapabilities:
    caps = client_capabilities(editor)
    if editor == "visual_studio_code" and caps.notebook_document is None:
        # Recorded before VS Code's client synced notebooks; vscode-languageclient 8+ does.
        caps.notebook_document = types.NotebookDocumentClientCapabilities(
            synchronization=types.NotebookDocumentSyncClientCapabilities()
        )
    if inline and caps.text_document is not None:
        # No recorded client declares inline completion; the real ones (VS Code 1.9x+) do.
        caps.text_document.inline_completion = types.InlineCompletionClientCapabilities(dynamic_registration=False)
    return caps


@asynccontextmanager
async def lsp_session(
    env: dict[str, str],
    *,
    editor: str = "visual_studio_code",
    init_options: Any = None,
    settings: dict[str, Any] | None = None,
    root: str | None = None,
    snippets: bool | None = None,
    folders: list[str] | None = None,
    client_info: types.ClientInfo | None = None,
    settled: bool = True,
) -> AsyncIterator[LanguageClient]:
    """``folders``: the workspace folders (paths) of a multi-root workspace, instead of ``root``;
    ``snippets``: whether the client takes snippet items (None: as the editor recorded);
    ``settled``: the session starts once the server has applied the editor's settings (False:
    at once, for a test of what happens before)."""
    config = ClientServerConfig(server_command=server_command(env), server_env=env)
    client: LanguageClient = await config.start()  # type: ignore[assignment]
    client.statuses = []  # type: ignore[attr-defined]

    @client.feature("deepseek/status")
    def on_status(params: Any) -> None:
        client.statuses.append(_to_dict(params))  # type: ignore[attr-defined]

    client.registrations = []  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def on_register(params: types.RegistrationParams) -> None:
        # Accepted, as VS Code does (without a handler the server was answered "method not found").
        client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    client.pulled = 0  # type: ignore[attr-defined]
    answer = client.get_configuration

    def counted(**kwargs: Any) -> Any:
        client.pulled += 1  # type: ignore[attr-defined]
        return answer(**kwargs)

    client.get_configuration = counted  # type: ignore[method-assign]
    if settings is not None:
        client.set_configuration({"deepseek": settings})
    caps = capabilities(editor)
    item_caps = caps.text_document and caps.text_document.completion and caps.text_document.completion.completion_item
    if item_caps is not None and snippets is not None:
        item_caps.snippet_support = snippets
    client.init_result = await client.initialize_session(  # type: ignore[attr-defined]
        types.InitializeParams(
            capabilities=caps,
            initialization_options=init_options,
            client_info=client_info,
            process_id=os.getpid(),
            root_uri=f"file://{root}" if root else None,
            workspace_folders=(
                [types.WorkspaceFolder(uri=f"file://{f}", name=f.rsplit("/", 1)[-1]) for f in folders]
                if folders
                else [types.WorkspaceFolder(uri=f"file://{root}", name="ws")] if root else None
            ),
        )
    )
    try:
        if settled:
            await settings_applied(client)
        yield client
    finally:
        try:
            # Bounded: a server that never answered its shutdown held the test, its worker and
            # the whole run (a CI run stalled at 99 % for good); it fails the test instead.
            await within(client.shutdown_session(), SHUTDOWN_ANSWERED_S)
        except asyncio.TimeoutError:
            # Killed: such a server ignored the SIGTERM of the client's stop as well.
            if client._server is not None and client._server.returncode is None:
                client._server.kill()
            raise AssertionError(f"the server did not answer shutdown in {SHUTDOWN_ANSWERED_S:.0f} s") from None
        finally:
            await client.stop()


async def settings_applied(client: LanguageClient, timeout: float = 20.0, pulls: int = 0) -> None:
    """Wait until the server has pulled and applied the editor's settings. A request sent
    before waits only a moment for them, then answers nothing (the next keystroke asks again):
    on a loaded machine the pull outlasted that moment and a test's first request got nothing.
    ``pulls``: the pulls the client answered, a settings change's among them; their answers are
    applied a few turns of the server's loop after they arrive, and at load a request sent
    after one round trip still went out with the old settings."""
    import asyncio

    def applied(state: dict[str, Any]) -> bool:
        return bool(state["configured"]) and state["settingsPulls"] >= pulls

    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not applied(_to_dict(await client.protocol.send_request_async("deepseek/debugState", {}))):
        if loop.time() > end:
            raise AssertionError(f"the server did not apply the editor's settings within {timeout} s")
        await asyncio.sleep(0.02)


async def requests_waiting(client: LanguageClient, count: int, timeout: float = 10.0) -> bool:
    """Wait until ``count`` completion requests wait on answers in flight (their own or one they
    joined): a test that joins a stream knows the join is made before it lets the stream on."""
    import asyncio

    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        state = _to_dict(await client.protocol.send_request_async("deepseek/debugState", {}))
        if state["completionWaiting"] >= count:
            return True
        await asyncio.sleep(0.01)
    return False


def open_doc(client: LanguageClient, uri: str, text: str, language: str = "python", version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=version, text=text)
        )
    )


def insert(client: LanguageClient, uri: str, version: int, line: int, character: int, text: str) -> None:
    pos = types.Position(line=line, character=character)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start=pos, end=pos), text=text)],
        )
    )


def inline_params(uri: str, line: int, character: int, invoked: bool = False) -> types.InlineCompletionParams:
    return types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=character),
        context=types.InlineCompletionContext(
            trigger_kind=types.InlineCompletionTriggerKind.Invoked
            if invoked
            else types.InlineCompletionTriggerKind.Automatic
        ),
    )


async def type_and_ask(client: LanguageClient, uri: str, line: int, at: int, pieces: list[str], first: int = 2) -> int:
    """Each of ``pieces`` typed at ``line``/``at`` of the open ``uri`` (versions from
    ``first``), a suggestion asked for after each; the cursor's column after the last."""
    for version, piece in enumerate(pieces, start=first):
        insert(client, uri, version, line, at, piece)
        at += len(piece)
        await client.text_document_inline_completion_async(inline_params(uri, line, at, invoked=True))
    return at


async def _inline_items(
    state_dir: str, answer: str | Callable[[dict[str, Any]], str], uri: str, text: str, language: str, line: int, character: int
) -> list[types.InlineCompletionItem]:
    """The inline items the real server over stdio offers at a position of a document just
    opened, the fake DeepSeek answering ``answer`` (a text, or a text for each request's body)
    (no debounce, prefetch nor cache), its language's queries compiled before the open."""
    from tests.server_fork import WARM_QUERIES

    with FakeDeepSeek() as fake:
        if callable(answer):
            fake.responder(answer)
        else:
            fake.script(answer)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=state_dir, **{WARM_QUERIES: language})
        settings = {"completion": {"debounce": 0, "prefetch": False, "cache": False}}
        async with lsp_session(env, settings=settings) as client:
            open_doc(client, uri, text, language)
            result = await client.text_document_inline_completion_async(inline_params(uri, line, character))
            return list(result.items) if result else []


async def suggested_texts(
    state_dir: str, answer: str, uri: str, text: str, language: str, line: int, character: int
) -> list[str]:
    """What the real server over stdio suggests at a position of a document just opened, the
    fake DeepSeek answering ``answer`` (no debounce, prefetch nor cache)."""
    items = await _inline_items(state_dir, answer, uri, text, language, line, character)
    return [str(item.insert_text) for item in items]


async def first_item_at_cursor(
    state_dir: str, ext: str, language_id: str, text: str, answer: str | Callable[[dict[str, Any]], str]
) -> tuple[str, types.InlineCompletionItem | None]:
    """The document of ``text`` less its cursor mark ``‸`` and the first inline item the real
    server (over stdio) offers there when the fake DeepSeek answers ``answer``."""
    before = text[: text.index("‸")].replace("\r", "")
    clean = text.replace("‸", "")
    row, col = before.count("\n"), len(before.split("\n")[-1])
    items = await _inline_items(state_dir, answer, f"file:///ws/a.{ext}", clean, language_id, row, col)
    return clean, (items[0] if items else None)


def accepted_text(text: str, item: types.InlineCompletionItem) -> str:
    """``text`` as an editor leaves it after accepting ``item`` (its range replaced)."""
    assert item.range is not None and isinstance(item.insert_text, str)
    lines = text.split("\n")

    def offset(pos: types.Position) -> int:
        return sum(len(line) + 1 for line in lines[: pos.line]) + pos.character

    start, end = offset(item.range.start), offset(item.range.end)
    return text[:start] + item.insert_text + text[end:]


async def document_state(client: LanguageClient, uri: str) -> dict[str, Any]:
    result = await client.protocol.send_request_async("deepseek/documentState", {"uri": uri})
    return result if isinstance(result, dict) else _to_dict(result)


def _to_dict(obj: Any) -> Any:
    if hasattr(obj, "_asdict"):
        return {k: _to_dict(v) for k, v in obj._asdict().items()}
    if isinstance(obj, dict):
        return {k: _to_dict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_dict(v) for v in obj]
    return obj


async def eventually(predicate: Any, timeout: float = 5.0, interval: float = 0.02) -> Any:
    """Wait until ``predicate()`` is truthy (the server answers asynchronously); return its value."""
    import asyncio

    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        value = predicate()
        if value or loop.time() > end:
            return value
        await asyncio.sleep(interval)


class _Gathered:
    """A writer keeping what is written to it (see :func:`one_write`)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)


@contextmanager
def one_write(client: LanguageClient) -> Iterator[None]:
    """The messages ``client`` sends in the block reach the server in one write, at its end.
    Written one by one, a loaded host held the test's process between a cancel and the next
    request for 65 ms (load 19), past the 50 ms the server gives the cancelled request's
    stream for that request to come: the tests are of what the server does with the messages,
    not of how the host schedules the test."""
    protocol = client.protocol
    writer, gathered = protocol.writer, _Gathered()
    protocol.writer = gathered
    try:
        yield
    finally:
        protocol.writer = writer
        writer.write(b"".join(gathered.parts))


class Typist:
    """Sends inline-completion requests as VS Code does: each new one cancels the previous
    with ``$/cancelRequest`` (the client-side future stays, and resolves with an error); the
    cancel and the request go in one write (:func:`one_write`)."""

    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.pending: tuple[str, Any] | None = None

    def request(self, params: types.InlineCompletionParams) -> Any:
        import asyncio
        import uuid

        msg_id = str(uuid.uuid4())
        with one_write(self.client):
            self.cancel()
            # Not ``send_request_async``: pytest-lsp's sends from a task (after checking the
            # params against the capabilities), a turn of the loop later, outside the write.
            sent = self.client.protocol.send_request(types.TEXT_DOCUMENT_INLINE_COMPLETION, params, msg_id=msg_id)
        future = asyncio.wrap_future(sent)
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        self.pending = (msg_id, future)
        return future

    def cancel(self) -> None:
        if self.pending is not None and not self.pending[1].done():
            self.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=self.pending[0]))
        self.pending = None

    @staticmethod
    def result(future: Any) -> Any:
        if future.done() and not future.cancelled() and future.exception() is None:
            return future.result()
        return None


@contextmanager
def refused_url() -> Iterator[str]:
    """An http URL on 127.0.0.1 whose connections are refused, for as long as the block runs: the
    port stays bound (not listening), so no other server started meanwhile (another test's fake,
    another process) can take it and answer instead."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{s.getsockname()[1]}"
