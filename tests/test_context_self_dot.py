"""What a bare ``self.|`` (``this.|``) brings of what the class inherits
(``context.lookup.bases_at_cursor``), as typed over stdio."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_context_receivers import SELF_CHAIN, prompts_while_typing

#: Twelve functions of another file the method calls: names near the cursor that take the
#: snippets' places before the class's bases, ranked after them away from a ``self.``.
HELPERS = {
    "python": "".join(f"def helper_{i}(a, b, c):\n    '''Helper {i}.'''\n    return a + b + c + {i}\n\n\n" for i in range(12)),
    "typescript": "".join(
        f"/** Helper {i}. */\nexport function helper_{i}(a: number, b: number, c: number): number {{\n  return a + b + c + {i};\n}}\n\n"
        for i in range(12)
    ),
}


def _busy_class(language: str) -> tuple[str, str]:
    """(path, text) of a class whose method calls the twelve helpers, its line to type on blank."""
    names = ", ".join(f"helper_{i}" for i in range(12))
    if language == "python":
        uses = "".join(f"        x += helper_{i}(x, 1, 2)\n" for i in range(12))
        return "app/quic.py", (
            f"import os\n\nfrom net.dtls import Dtls\nfrom app.helpers import {names}\n\n\n"
            f"class Quic(Dtls):\n    def run(self, data):\n        x = os.getpid()\n{uses}        \n        return x\n"
        )
    uses = "".join(f"    x += helper_{i}(x, 1, 2);\n" for i in range(12))
    return "app/quic.ts", (
        f"import {{ Dtls }} from '../net/dtls';\nimport {{ {names} }} from './helpers';\n\n"
        f"export class Quic extends Dtls {{\n  run(data: number): number {{\n    let x = data;\n{uses}    \n    return x;\n  }}\n}}\n"
    )


@pytest.mark.parametrize("language", ["python", "typescript"])
async def test_a_bare_self_dot_typed_key_by_key_carries_the_inherited_members(tmp_path: Path, language: str) -> None:
    """``self.`` typed a key at a time on a line of a busy method: the snippets chosen at ``s``
    (the bases ranked after the names near the cursor, their headers alone fitting) were kept at
    the dot, and the prompt at ``self.`` had ``class Connection:`` with none of its members
    until ``self.se`` chose them anew. Now the first request at the dot carries them."""
    ext = "py" if language == "python" else "ts"
    rel, text = _busy_class(language)
    files = {**SELF_CHAIN[language], f"app/helpers.{ext}": HELPERS[language], rel: text}
    lines = text.split("\n")
    blank = "        " if language == "python" else "    "
    line = lines.index(blank)
    keys = list("self." if language == "python" else "this.")
    prompts = await prompts_while_typing(tmp_path, files, [(rel, language)], (line, len(blank)), *keys)
    extras = prompts[-1][: prompts[-1].index(f"Path: {rel}")]
    recv = "def recv(self, size: int) -> bytes:" if language == "python" else "recv(size: number): Uint8Array {"
    assert recv in extras, extras

