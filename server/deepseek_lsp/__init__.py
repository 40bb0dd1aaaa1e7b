"""deepseek-lsp: DeepSeek-powered inline completions and code review for any LSP editor."""

import sys

__version__ = "0.1.0"

# httpx's package imports its command-line client, which imports click, pygments and rich
# wherever they are installed: 10-40 ms of every start for a client this server never runs.
# A None entry makes that import fail, and httpx falls back to a stub of its CLI.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
