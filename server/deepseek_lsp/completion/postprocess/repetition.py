"""The ``cut_repetition`` filter: a model looping on the same lines is cut."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._text import _has_word, _join, _leading_ws, _loose, _statement

if TYPE_CHECKING:
    from .context import PostContext


_REPEATED_LINE_RUN = 3


def cut_repetition(text: str, ctx: PostContext) -> str | None:
    """Cut a completion where the model starts looping.

    A line repeated three times in a row (ignoring spacing and a trailing `,` or `;`, but not
    indentation, so nested closers are safe) or a block of lines repeated right after itself
    keeps only its first copy. A completion that only re-types the line above the cursor is
    dropped.
    """
    lines = text.split("\n")
    if _repeats_previous_line(lines, ctx):
        return None
    # The first line sits after the cursor, so it is compared as the whole cursor line.
    whole = [ctx.line_prefix + lines[0], *lines[1:]]
    keyed = [(index, _loose(line)) for index, line in enumerate(whole) if line.strip()]
    cuts = [c for c in (_repeated_line(keyed), _repeated_block(keyed, lines)) if c is not None]
    if not cuts:
        return text
    return _join(lines[: min(cuts)])


def _repeated_line(keyed: list[tuple[int, str]]) -> int | None:
    run = 1
    for position in range(1, len(keyed)):
        run = run + 1 if keyed[position][1] == keyed[position - 1][1] else 1
        if run == _REPEATED_LINE_RUN and _runs_to_the_end(keyed, position):
            # Keep the first copy; everything from the second on is the loop.
            return keyed[position - _REPEATED_LINE_RUN + 2][0]
    return None


def _runs_to_the_end(keyed: list[tuple[int, str]], position: int) -> bool:
    """Whether the run of equal lines ending at ``position`` goes on to the end of the answer
    (a loop stops only at the token limit, maybe in the middle of a copy): equal lines with
    other code after them are the code's own (a 3x3 matrix of zeros, `x++` three times)."""
    key = keyed[position][1]
    after = [k for _, k in keyed[position + 1 :]]
    return all(k == key for k in after[:-1]) and (not after or key.startswith(after[-1]))


def _repeated_block(keyed: list[tuple[int, str]], lines: list[str]) -> int | None:
    count = len(keyed)
    last_index = len(lines) - 1
    for start in range(count):
        # The copy is the whole block again: a shorter one is only a shared end, as in two
        # sibling blocks that both end in `return;` and `}` (cut there, the last block lost
        # both).
        for size in range(2, (count - start) // 2 + 1):
            second = start + size
            if keyed[second][1] != keyed[start][1]:
                continue
            block = [key for _, key in keyed[start : start + size]]
            if not any(map(_has_word, block)) or len(set(block)) == 1:
                # One line over and over is _repeated_line's business, which asks that the run
                # go on to the end of the answer: four equal rows of a board before its `]`,
                # read as a block of two rows repeated, lost the last two.
                continue
            repeat = keyed[second : second + size]
            matched = True
            for offset, (index, key) in enumerate(repeat):
                expected = block[offset]
                if key == expected:
                    continue
                # The stream may stop in the middle of the repeated copy's last line, but a
                # lone closer is whole as it is: `}` after `} else {` ends the else branch.
                if index == last_index and expected.startswith(key) and _has_word(key):
                    continue
                matched = False
                break
            if matched:
                return keyed[second][0]
    return None


def _repeats_previous_line(lines: list[str], ctx: PostContext) -> bool:
    if len(lines) > 1 and not lines[0].strip():
        # The completion opens new lines below the cursor line, which is now the line above.
        new_lines = lines[1:]
        above = ctx.line_prefix if ctx.line_prefix.strip() else ctx.previous_line
    else:
        new_lines = [ctx.line_prefix + lines[0], *lines[1:]]
        above = ctx.previous_line
    if above is None or not _has_word(above):
        return False
    # The statement's end is the model's choice: `int x = 1` under `int x = 1;` is the same.
    written = [_leading_ws(line) + _statement(line) for line in new_lines if line.strip()]
    return bool(written) and all(line == _leading_ws(above) + _statement(above) for line in written)
