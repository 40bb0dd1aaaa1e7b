"""What scrubbing a log record costs: the log filter runs on every record (and an error's text
on every failure), so the shapes of secrets it looks for must cost little on lines holding none.

Lines of a debug log (``--log-file``, ``--log-level debug``; by default a short session's lines
written here) are scrubbed again and again; prints the time a line, the filter's known keys and
bearer only, then with every shape the prompts' redaction knows, and how many lines changed.

    PYTHONPATH=server python tests/bench/bench_log_scrub.py [LOG_FILE]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from deepseek_lsp.log import _AUTH_HEADER, _BEARER, _SK_KEY, SecretFilter

#: Lines as the server logs them, where no log file is given.
SAMPLE = (
    "deepseek_lsp.server: configuration: {'base_url': 'http://127.0.0.1:41675', 'api_key': 'sk-…6789'}",
    "deepseek_lsp.transport: Content length: 5009",
    "deepseek_lsp.completion.health: completion request failed: Cannot reach 127.0.0.1:54881",
    "deepseek_lsp.model.client: warm-up request to http://127.0.0.1:9/models failed: [Errno 111]",
    "deepseek_lsp.completion: request 12 at file:///w/app/settings.py:40:8, 1,234 prompt tokens",
    "deepseek_lsp.review.feature: review of /w/app/auth/tokens.py: 3 findings",
    "deepseek_lsp.protocol: Request 'textDocument/inlineCompletion' received",
)


def _keys_only(text: str) -> str:
    text = _AUTH_HEADER.sub(r"\1****", text)
    text = _BEARER.sub("Bearer ****", text)
    return _SK_KEY.sub("sk-****", text)


def main() -> None:
    lines = Path(sys.argv[1]).read_text(encoding="utf-8", errors="replace").splitlines() if len(sys.argv) > 1 else list(SAMPLE)
    scrub = SecretFilter().scrub
    rounds = max(1, 20_000 // len(lines))
    for name, fn in (("keys and bearer", _keys_only), ("every shape", scrub)):
        started = time.process_time()
        for _ in range(rounds):
            for line in lines:
                fn(line)
        spent = time.process_time() - started
        changed = sum(fn(line) != line for line in lines)
        print(f"{name:16} {spent / (rounds * len(lines)) * 1e6:7.2f} µs a line, {changed} of {len(lines)} lines changed")


if __name__ == "__main__":
    main()
