"""CPU time of line_tail's look at what an accept would leave (``Document.with_replaced``, the
copy's reparse and its header read), made for each suggestion of a body between `{` and the
editor's `}` that ends on a word, `)` or `]` in C, C++, C#, Java, JavaScript and TypeScript, at
every request that shows one (not only at an accept).

A 10,000-line C# file with LF and with CRLF line ends, the cursor in the last method's empty
body, the document's lines found up to it as a request leaves them; each figure the least of
``--repeats``, with the document's own reparse after one key for scale. Files given on the
command line (``path=language``) are measured the same way at their last ``{``.

    PYTHONPATH=server python tests/bench/bench_accept_copy.py [--repeats 7] [path=language ...]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from deepseek_lsp.completion.bodiless_header import awaits_body
from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry

_METHOD = "    public int M{0}(int x)\n    {{\n        if (x > 0)\n        {{\n            return x;\n        }}\n        return 0;\n    }}\n"


def _least(run, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def measure(name: str, data: bytes, language: str, offset: int, body: bytes, repeats: int) -> None:
    lang = LanguageRegistry.load().get(language)
    doc = Document("file:///bench", data.decode("utf-8", "replace"), language=lang)
    doc.parse_now()
    doc.position_at(offset)  # the request's positions: its lines found up to the cursor
    copy_ms = _least(lambda: doc.with_replaced(offset, offset, body), repeats)
    whole_ms = _least(lambda: awaits_body(doc.with_replaced(offset, offset, body), offset + len(body)), repeats)
    own = Document("file:///bench", data.decode("utf-8", "replace"), language=lang)
    own.parse_now()

    def one_key() -> None:
        own._replace(offset, offset, b"x")
        own.parse_now()
        own._replace(offset, offset + 1, b"")
        own.parse_now()

    key_ms = _least(one_key, repeats) / 2
    print(f"{name}: copy {copy_ms:.1f} ms, copy + reparse + header read {whole_ms:.1f} ms; the document's own reparse after a key {key_ms:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("files", nargs="*", help="path=language")
    args = parser.parse_args()
    text = "namespace N\n{\nclass C\n{\n" + "".join(_METHOD.format(i) for i in range(1250))
    text += "    void G()\n    {\n        \n    }\n}\n}\n"
    for eol in ("\n", "\r\n"):
        data = text.replace("\n", eol).encode()
        offset = data.rindex(b"{" + eol.encode() + b"        ") + len(eol) + 9
        body = b"Run();" + eol.encode() + b"        void H()"
        measure(f"C# 10,010 lines {'CRLF' if eol == chr(13) + chr(10) else 'LF'}", data, "csharp", offset, body, args.repeats)
    for spec in args.files:
        path, _, language = spec.rpartition("=")
        data = Path(path).read_bytes()
        offset = data.rindex(b"{\n") + 1
        measure(Path(path).name, data, language, offset, b"\n  g(x)\n  run(a)", args.repeats)


if __name__ == "__main__":
    main()
