"""How each benchmarked server is started: deepseek-lsp (default or naive settings) and
tabby-agent 1.5.0 (``npm ci --prefix tests/bench`` installs it from the pinned lock file).

tabby-agent ignores ``initializationOptions``; it reads ``~/.tabby-client/agent/config.toml``, so
each run gets a fresh ``HOME`` holding one that points at the fake server, with a non-empty token
and anonymous usage tracking off.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.bench.corpus import NODE_MODULES
from tests.bench.lsp_client import LspClient

TABBY_CLI = NODE_MODULES / "tabby-agent" / "dist" / "cli.js"
API_KEY = "sk-bench-0123456789abcdef"


@dataclass(frozen=True)
class Peer:
    name: str
    kind: str  # "deepseek" or "tabby"
    settings: dict[str, Any] = field(default_factory=dict)  # deepseek-lsp settings
    tabby_debounce_ms: int | None = None  # None: tabby-agent's adaptive default
    #: Sends ``$/cancelRequest`` for the request before at each key, as VS Code does; False:
    #: as Helix, Emacs, Sublime LSP and Kate, which leave it unanswered.
    cancels: bool = True
    #: Asks this long after the key (its cancel at once), as VS Code asks after its own 50 ms
    #: debounce; 0: at the key.
    ask_after_ms: int = 0

    @property
    def inline(self) -> bool:
        """Asks textDocument/inlineCompletion (tabby-agent 1.5.0 over LSP only has completion)."""
        return self.kind == "deepseek"


DEEPSEEK = Peer("deepseek-lsp", "deepseek")
NAIVE = Peer(
    "deepseek-lsp naive",
    "deepseek",
    {"completion": {"debounce": 0, "cache": False, "prefetch": False}},
)
TABBY = Peer("tabby-agent", "tabby")


def tabby_problem() -> str:
    """Why tabby-agent cannot run here, or ''."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not TABBY_CLI.is_file():
        return f"{TABBY_CLI} is missing: run `npm ci --prefix tests/bench`"
    return ""


def write_tabby_home(home: Path, endpoint: str, debounce_ms: int | None) -> None:
    config = home / ".tabby-client" / "agent" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    text = (
        f'[server]\nendpoint = "{endpoint}"\ntoken = "bench-token"\n\n'
        "[anonymousUsageTracking]\ndisable = true\n"
    )
    if debounce_ms is not None:
        text += f'\n[completion.debounce]\nmode = "fixed"\ninterval = {debounce_ms}\n'
    config.write_text(text)


async def start(
    peer: Peer, endpoint: str, workdir: Path, *, root: str | None = None, python_code: str | None = None
) -> LspClient:
    """Start ``peer`` against ``endpoint`` and initialize it; logs go to ``workdir``. For
    deepseek-lsp, ``python_code`` runs in place of ``-m deepseek_lsp`` (it starts the server)."""
    workdir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240
    stderr = str(workdir / f"{peer.kind}.stderr.log")
    if peer.kind == "tabby":
        problem = tabby_problem()
        if problem:
            raise RuntimeError(problem)
        home = workdir / "home"
        write_tabby_home(home, endpoint, peer.tabby_debounce_ms)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DEEPSEEK_", "TABBY_"))}
        env["HOME"] = str(home)
        client = await LspClient.start(
            ["node", str(TABBY_CLI), "--lsp", "--stdio"], env=env, cwd=str(workdir), stderr_path=stderr
        )
        await client.initialize(root=root)
        return client
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPSEEK_")}
    # An installed package has its bytecode (pip compiles it); with this machine's
    # PYTHONDONTWRITEBYTECODE=1 an editable checkout would compile every module at every start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        DEEPSEEK_API_KEY=API_KEY,
        DEEPSEEK_BASE_URL=endpoint,
        DEEPSEEK_LSP_STATE_DIR=str(workdir / "state"),
    )
    client = await LspClient.start(
        [sys.executable, *(["-c", python_code] if python_code else ["-m", "deepseek_lsp"])], env=env, cwd=str(workdir), stderr_path=stderr
    )
    client.settings = peer.settings
    await client.initialize(root=root, init_options={"deepseek": peer.settings})
    return client
