"""Programming languages without a grammar here whose files are reviewed all the same, cut into
chunks (review/units.py): on save, by the editor's language id, and in ``deepseek-lsp review
DIR``, by extension. Left to the grammars' languages, a save of a Haskell module or a Vue
component sent nothing and said nothing, which read as a clean review. Notes, data and lock
files stay out (a README, a YAML manifest, ``package-lock.json``); so do extensions that other
files share (MATLAB's and Objective-C's ``.m``, Verilog's and Coq's ``.v``, tree-sitter's
``.scm`` queries)."""

from __future__ import annotations

from pathlib import Path

#: Language ids (VS Code's, and Neovim's filetypes where they differ) and the extensions of
#: their files.
CODE_WITHOUT_GRAMMAR: dict[str, tuple[str, ...]] = {
    "haskell": (".hs",),
    "ocaml": (".ml", ".mli"),
    "zig": (".zig",),
    "r": (".r",),
    "julia": (".jl",),
    "dart": (".dart",),
    "vue": (".vue",),
    "svelte": (".svelte",),
    "perl": (".pl", ".pm"),
    "elm": (".elm",),
    "fsharp": (".fs", ".fsi", ".fsx"),
    "clojure": (".clj", ".cljs", ".cljc"),
    "erlang": (".erl",),
    "groovy": (".groovy",),
    "nim": (".nim",),
    "crystal": (".cr",),
    "powershell": (".ps1", ".psm1"),
    "ps1": (),
    "coffeescript": (".coffee",),
    "coffee": (),
    "solidity": (".sol",),
    "gleam": (".gleam",),
    "purescript": (".purs",),
    "racket": (".rkt",),
    "fortran": (".f90", ".f95", ".f03"),
}
_EXTENSIONS = frozenset(ext for exts in CODE_WITHOUT_GRAMMAR.values() for ext in exts)


def is_code_language(language_id: str | None) -> bool:
    """Whether the editor's ``language_id`` names one of them (a Neovim compound filetype by
    its first part)."""
    return (language_id or "").partition(".")[0].lower() in CODE_WITHOUT_GRAMMAR


def has_code_extension(path: Path) -> bool:
    return path.suffix.lower() in _EXTENSIONS
