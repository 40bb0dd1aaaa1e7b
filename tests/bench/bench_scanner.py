"""The bracket scanner on real files (not part of the test run): its speed, and the state it
reads at each line start from the file's start (as scan_states.py reads a document: fed a
line at a time), to tell how many line starts a change to it moves in or out of a string or
a comment.

    python tests/bench/bench_scanner.py --language powershell --out before.json FILE...
    python tests/bench/bench_scanner.py --compare before.json after.json
    python tests/bench/bench_scanner.py --language bash --against-tree FILE...

``--against-tree`` tells right from wrong for the shell: how many line starts the scanner
reads as code where tree-sitter-bash has a string, a heredoc or a comment there, or the
reverse (files the grammar parses with an error are left out; a command substitution's inside
is code, in a string too). Of 503 system scripts and 133 bash-completion files, 2,610 of 46,843
and 1,504 of 11,011 before 11f2cbd, 169 and 13 at 6645c70, 148 and 0 once `"$(...)"` nests;
many of the 148 are a heredoc's last line, which the grammar ends its body before.

``--against-tree-depth`` tells right from wrong in any language with a grammar (grammars/):
the files where the scanner's bracket depth at a line start differs from the grammar's (its
bracket tokens whose parent node holds their partner too, so a template's `${`...`}` or an
error's lone bracket is none), and the lines whose own brackets' count differs (a misreading
counted where it is, not at every line after it); files the grammar parses with an error are
left out. The machine's files at 4cea5eaf -> this session's end: 2,454 node_modules JavaScript
files 3 -> 0 (two .min.js reading `case'"':` as a word's apostrophe, a `/` first on a line
dividing), 785 of npm's 0 -> 0, 3,280 TypeScript, 474 C headers, 75 C++, 312 Lua, 155 PHP,
4,483 Python (one file in twelve), 117 shell scripts: 0 (most C and C++ headers parse with an
error, left out; there is next to no Ruby, Rust, Go, Kotlin, Scala or Swift here).
A `"$(...)"`'s or a `"${...}"`'s brackets are an interpolation's, none (as the scanner reads
them): counted, a substitution over lines was a false disagreement (of 273 system scripts and
completions, 23 -> 18 files at 96c448c7).

``--balance`` counts the files whose brackets do not balance at the end (more openers than
closers, or fewer) and those that end inside a string or a comment, naming them: a file of
real code balances, so each is a misreading to look at (or a file cut in two by design: a
header's `extern "C" {` opened under `#ifdef __cplusplus`, closed in another).

``--against-mysql`` tells right from wrong for MySQL's files (MariaDB's test suite, Debian's
mariadb-test-data: the ``mysql-test/**/*.test`` holding a backslash before a quote): the line
starts the SQL scanner reads otherwise than MySQL's own reading, every backslash escaping
(``#`` comments for both).
Of 215 such files, 2,287 of 116,631 before MySQL's escapes were learnt from the text, 1,870
after (most of the rest Shift-JIS files, a backslash there a character's second byte).

Files are given on the command line (``find /usr/share -name '*.sh'``: the system's scripts,
Debian packages' docs, the node_modules trees, wheels' sources are real corpora); one that is
not UTF-8 is read with replacement characters, as the server reads it. Run it with
``PYTHONPATH`` pointing at the tree to measure (``git archive COMMIT server | tar -x -C DIR``
for another commit's figures). The time is the CPU time of the best of ``--rounds`` reads of all the files.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from deepseek_lsp.completion.postprocess._scanner import _BracketScanner
from deepseek_lsp.completion.postprocess._syntax import _Syntax, _syntax_for


def line_start_modes(text: str, language: str, syntax: _Syntax | None = None) -> list[str]:
    """The scanner's mode at each line start ("" code) and at the text's end, read from the
    text's start."""
    scanner = _BracketScanner(syntax or _syntax_for(language))
    modes = []
    for line in text.splitlines(keepends=True):
        modes.append(scanner.mode or ("data" if scanner.data else ""))
        for _ in scanner.feed(line):
            pass
    return [*modes, scanner.mode or ("data" if scanner.data else "")]


#: tree-sitter-bash's nodes whose inside is text, no code.
_TREE_TEXT = ("string", "raw_string", "ansi_c_string", "translated_string", "heredoc_body", "comment")


def _tree_says_text(tree: object, offset: int) -> bool:
    node = tree.root_node.descendant_for_byte_range(offset, offset)  # type: ignore[attr-defined]
    while node is not None:
        # A heredoc's body starts at its first line's start: that line start is the text's.
        starts_before = node.start_byte < offset or (node.start_byte == offset and node.type == "heredoc_body")
        if node.type in _TREE_TEXT and starts_before and offset < node.end_byte:
            return True
        if node.type == "command_substitution" and node.start_byte < offset < node.end_byte:
            return False  # code, in a string too (`"$(cmd \` over lines)
        node = node.parent
    return False


def _against_tree(files: list[str]) -> None:
    """Line starts where the scanner and tree-sitter-bash disagree on code or text."""
    import tree_sitter
    import tree_sitter_bash

    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))
    lines = wrong = skipped = 0
    for name in files:
        data = Path(name).read_bytes()
        tree = parser.parse(data)
        text = data.decode("utf-8", "replace")
        if tree.root_node.has_error or len(text.encode()) != len(data):
            skipped += 1
            continue
        offset, bad = 0, []
        modes = line_start_modes(text, "bash")  # and the text's end: one more
        for number, (mode, line) in enumerate(zip(modes, text.splitlines(keepends=True), strict=False), 1):
            if bool(mode) != _tree_says_text(tree, offset):
                bad.append(number)
            offset += len(line.encode())
            lines += 1
        if bad:
            wrong += len(bad)
            print(f"{name}: {len(bad)} line starts (lines {', '.join(map(str, bad[:6]))})")
    print(f"{wrong} of {lines} line starts read otherwise than tree-sitter-bash; {skipped} files left out")


_PARTNER = {"(": ")", "[": "]", "{": "}", ")": "(", "]": "[", "}": "{"}

#: The shell's `$(`, `${`, `$((` are brackets to the scanner too (its `(` or `{`, each).
_SHELL_OPENERS = {"$(": "(", "${": "{", "$((": "(("}

#: The shell's strings, whose `$(` and `${` are interpolations, no brackets to the scanner.
_SHELL_TEXT = frozenset(("string", "heredoc_body"))

#: Where a brace opens code in a string, no bracket to the scanner (Python's f-string field).
_HOLES = frozenset(("interpolation", "template_substitution"))


def _tree_brackets(node: object, out: list[tuple[int, int]], shell: bool = False) -> None:
    """The grammar's brackets under ``node``: (byte offset, +1 or -1), a bracket counted
    where its parent holds its partner too (a template's `${`...`}` holds none), none in a
    raw string (C++'s `R"x(...)x"`: its delimiters' brackets are the grammar's tokens)."""
    openers = _SHELL_OPENERS if shell else {}
    stack = [node]
    while stack:
        parent = stack.pop()
        children = parent.children  # type: ignore[attr-defined]
        kinds = {c.type for c in children if not c.is_named}
        for opener, brackets in openers.items():
            if opener in kinds:
                kinds.update(brackets)
        hole = parent.type in _HOLES or parent.type == "raw_string_literal"  # type: ignore[attr-defined]
        # A `"$(...)"`'s or a `"${...}"`'s: an interpolation, no bracket to the scanner (its
        # `$((` one `(`); its closer likewise.
        quoted = int(shell and parent.parent is not None and parent.parent.type in _SHELL_TEXT)  # type: ignore[attr-defined]
        hole = hole or bool(quoted and kinds & _SHELL_OPENERS.keys())
        for child in children:
            if child.child_count:
                stack.append(child)
            elif child.type in openers and not child.is_named:
                out.extend((child.start_byte + 1 + i, 1) for i in range(quoted, len(openers[child.type])))
            elif shell and child.type == "))" and "$((" in kinds:
                out.extend((child.start_byte + i, -1) for i in range(quoted, 2))
            elif not child.is_named and child.type in _PARTNER and _PARTNER[child.type] in kinds and not hole:
                out.append((child.start_byte, 1 if child.type in "([{" else -1))


def _against_tree_depth(files: list[str], language: str) -> None:
    """Files and lines whose bracket depth the scanner reads otherwise than the grammar."""
    import bisect

    import tree_sitter

    from deepseek_lsp.languages import LanguageRegistry

    grammar = LanguageRegistry.load().get(language)
    if grammar is None:
        sys.exit(f"no grammar for {language}")
    parser = tree_sitter.Parser(grammar.ts_language)
    lines = wrong_lines = wrong_files = skipped = 0
    for name in files:
        data = Path(name).read_bytes()
        text = data.decode("utf-8", "replace")
        tree = parser.parse(data)
        if tree.root_node.has_error or len(text.encode()) != len(data):
            skipped += 1
            continue
        brackets: list[tuple[int, int]] = []
        _tree_brackets(tree.root_node, brackets, _syntax_for(language).shell)
        brackets.sort()
        offsets = [b[0] for b in brackets]
        scanner = _BracketScanner(_syntax_for(language))
        offset = depth = 0
        first, bad = 0, []
        for number, line in enumerate(text.splitlines(keepends=True), 1):
            size = len(line.encode())
            lo, hi = bisect.bisect_left(offsets, offset), bisect.bisect_left(offsets, offset + size)
            want = sum(b[1] for b in brackets[lo:hi])
            got = sum(1 if b in "([{" else -1 for _, b in scanner.feed(line))
            if got != want:
                bad.append(number)
            depth += got - want
            if depth and not first:
                first = number
            offset += size
            lines += 1
        if bad or first:
            wrong_files += 1
            wrong_lines += len(bad)
            print(f"{name}: {len(bad)} lines (lines {', '.join(map(str, bad[:6]))}); depth off from line {first}")
    print(f"{wrong_files} of {len(files) - skipped} files read otherwise than the grammar, {wrong_lines} of "
          f"{lines} lines' brackets; {skipped} files left out")


def _against_mysql(files: list[str]) -> None:
    """Line starts where the SQL scanner and MySQL's own reading disagree on code or text."""
    sql = replace(_syntax_for("sql"), line_comments=("--", "#"))
    mysql = replace(sql, unescaped_quotes="", mysql_backslash_quotes=False)
    lines = wrong = 0
    for name in files:
        text = Path(name).read_bytes().decode("utf-8", "replace")
        read, right = (line_start_modes(text, "sql", s) for s in (sql, mysql))
        bad = [i + 1 for i, (a, b) in enumerate(zip(read, right, strict=True)) if bool(a) != bool(b)]
        lines += len(read)
        if bad:
            wrong += len(bad)
            print(f"{name}: {len(bad)} line starts (lines {', '.join(map(str, bad[:6]))})")
    print(f"{wrong} of {lines} line starts read otherwise than MySQL's reading")


def _balance(files: list[str], language: str) -> None:
    """Files whose brackets do not balance at the end, or that end inside a string or a comment."""
    unbalanced = inside = 0
    for name in files:
        text = Path(name).read_bytes().decode("utf-8", "replace")
        scanner = _BracketScanner(_syntax_for(language))
        depth = sum(1 if b in "([{" else -1 for _, b in scanner.feed(text))
        mode = scanner.mode if not scanner.data else ""
        unbalanced += depth != 0
        inside += bool(mode)
        if depth or mode:
            print(f"{name}: depth {depth:+d}" + (f", ends in {mode!r}" if mode else ""))
    print(f"{len(files)} files: {unbalanced} do not balance, {inside} end inside a string or comment")


def _read_all(texts: list[str], language: str) -> float:
    began = time.process_time()  # CPU time: the host's other work counts less
    for text in texts:
        line_start_modes(text, language)
    return time.process_time() - began


def _compare(before_path: str, after_path: str) -> None:
    before, after = (json.loads(Path(p).read_text()) for p in (before_path, after_path))
    files = changed = ends = ends_before = 0
    for name, modes in before["modes"].items():
        new = after["modes"].get(name)
        if new is None:
            continue
        diff = [i for i, (a, b) in enumerate(zip(modes, new, strict=True)) if a != b]
        if diff:
            files += 1
            changed += len(diff)
            to_code = sum(1 for i in diff if new[i] == "")
            print(f"{name}: {len(diff)} line starts (first at line {diff[0] + 1}: "
                  f"{modes[diff[0]]!r} -> {new[diff[0]]!r}; {to_code} now code)")
        ends += bool(new and new[-1])
        ends_before += bool(modes and modes[-1])
    print(f"{changed} line starts changed in {files} of {len(before['modes'])} files; "
          f"files ending inside a string or comment: {ends_before} -> {ends}")
    print(f"time: {before['seconds'] * 1000:.1f} -> {after['seconds'] * 1000:.1f} ms "
          f"({before['bytes'] / 1e6:.2f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*")
    parser.add_argument("--language")
    parser.add_argument("--out")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--against-tree", action="store_true", help="bash: line starts read otherwise than its grammar")
    parser.add_argument("--against-tree-depth", action="store_true", help="bracket depth otherwise than the grammar's")
    parser.add_argument("--against-mysql", action="store_true", help="line starts read otherwise than MySQL's reading")
    parser.add_argument("--balance", action="store_true", help="files whose brackets do not balance at the end")
    args = parser.parse_args()
    if args.compare:
        _compare(*args.compare)
        return
    if not args.language or not args.files:
        sys.exit("give --language and files, or --compare BEFORE AFTER")
    if args.against_tree:
        _against_tree(args.files)
        return
    if args.against_tree_depth:
        _against_tree_depth(args.files, args.language)
        return
    if args.against_mysql:
        _against_mysql(args.files)
        return
    if args.balance:
        _balance(args.files, args.language)
        return
    texts = {f: Path(f).read_bytes().decode("utf-8", "replace") for f in args.files}
    modes = {f: line_start_modes(t, args.language) for f, t in texts.items()}
    seconds = min(_read_all(list(texts.values()), args.language) for _ in range(args.rounds))
    size = sum(len(t.encode()) for t in texts.values())
    print(f"{len(texts)} files, {size / 1e6:.2f} MB: {seconds * 1000:.1f} ms")
    if args.out:
        Path(args.out).write_text(json.dumps({"seconds": seconds, "bytes": size, "modes": modes}))


if __name__ == "__main__":
    main()
