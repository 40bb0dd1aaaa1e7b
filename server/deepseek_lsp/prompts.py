"""FIM prompts laid out stable-first, within a token budget counted with the real tokenizer.

Order: extra context (other files' definitions and recent edits, sorted), the current file's
label, its imports and the headers of the enclosing scopes, then the window before the cursor.
Consecutive keystrokes change only the end of the prompt, and the window's first line is snapped
to a round line (a multiple of ``WINDOW_STEP`` where the budget allows), so DeepSeek's prefix
cache keeps hitting while the user types.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial

from cachetools import LRUCache

from .context import Scope, Snippet
from .documents import Document
from .privacy import (
    open_line_list_head,
    open_list_head,
    open_section_head,
    redact,
    secret_manifest_head,
    split_at_secret,
)

WINDOW_STEP = 32
#: The window's start gives up at most this share of its budget (a 1/4) to land on a round line.
SNAP_SHARE = 4
SUFFIX_STEP = 16
EXTRAS_SHARE = 0.3
#: Bytes above the prompt's window redaction is shown: the name of a secret whose value starts
#: the window, the ``kind: Secret`` line of a manifest whose data the window starts inside of.
ABOVE_WINDOW = 4096
#: Languages and file names whose mappings, tables and objects may be named for a secret lines
#: above their entries (see ``open_list_head``).
_STRUCTURED = ("yaml", "json", "jsonc", "toml", "ini")
_TABLE_SUFFIXES = (".toml", ".ini", ".cfg", ".conf")
_STRUCTURED_SUFFIXES = (".yaml", ".yml", ".json", *_TABLE_SUFFIXES)

TokenCount = Callable[[str], int]
#: Token count of a whole line (line break included) by line number.
LineTokenCount = Callable[[int], int]
#: 8,192 lines: the windows of a dozen or more files being edited. It was 65,536: typing adds a
#: key or two per keystroke (the cursor line as it grows), so the cache kept filling for some
#: 30,000 keystrokes, ~20 MB of a long soak's memory growth (tests/bench/soak.py).
_line_tokens: LRUCache[tuple[object, bytes], int] = LRUCache(maxsize=8192)
#: The prompt's head parts (snippets, the path line, the imports, scope headers) as redacted:
#: the same from one keystroke to the next, each was redacted again at every request (a
#: quarter of the prompt's CPU time went to redaction). Keyed by all redaction reads: the
#: comment marker a snippet's lines start with, the snippet above it of the same file, its text.
_redacted_parts: LRUCache[tuple[str | None, str | None, str], str] = LRUCache(maxsize=256)


def _redacted_part(part: str, comment: str | None = None, above: str | None = None) -> str:
    """``redact(part)``, a head part redacted on its own, cached. A snippet's block (its lines
    commented out with ``comment``, see ``snippet_block``) is redacted as the code it shows,
    after ``above``, the code right above it in its file: a value on the line below its name
    (``password = (``, then the value) is found in code, not once each line starts with
    ``#``, and where the name is above the snippet (the snippet above of the same file, or
    the file's lines above a recent edit). Its path label on its own (cached as a part)."""
    key = (comment, above, part)
    hit = _redacted_parts.get(key)
    if hit is None:
        if comment is None:
            hit = redact(part)
        else:
            # Its path label is no code: between the lines above and the value, it hid the name.
            label, body = "", part
            if part.startswith(label_line(comment, "").rstrip("\n")):
                label, _, body = part.partition("\n")
                label = _redacted_part(label + "\n")
            # Once: the commented text was redacted again after the code, the same bytes (each
            # search for triggers ~0.1 ms a block, twice for every snippet chosen anew).
            hit = label + _commented(redact(_uncommented(body, comment), before=above or ""), comment)
        _redacted_parts[key] = hit
    return hit


def _redacted_suffix(suffix: str, window: str, above: str, clean: Sequence[tuple[int, int]]) -> str:
    """``suffix`` redacted after ``window`` (the text before the cursor) and ``above``. With the
    cursor inside a line, its line is read whole first: the suffix alone starts with a word cut
    in two (``do|cker login -u ci -p …``, ``"cooki|es": [``, ``de|fault = [``), which read as no
    command, no section's name nor default, and the secret after it went out."""
    cut = window[window.rfind("\n") + 1 :]
    if cut.strip() and suffix[:1] not in ("", "\n", "\r"):
        # The line ranges known clean are still whole lines after the cut (the first is not).
        shifted = [(start + len(cut), end + len(cut)) for start, end in clean if start > 0]
        joined = redact(cut + suffix, clean=shifted, before=above + window[: len(window) - len(cut)])
        if joined.startswith(cut) and joined[len(cut) :] != suffix:
            suffix, clean = joined[len(cut) :], ()
    return redact(suffix, clean=clean, before=above + window)


def _redacted_snippets(blocks: Sequence[str], leads: Sequence[str], comment: str) -> list[str]:
    """The snippets' blocks (``_fitting_snippets``) redacted, each after its file's lines above
    it (``leads``), else after the block above where it is of the same file (its label said
    once, above)."""
    label = label_line(comment, "").rstrip("\n")

    def above(i: int) -> str | None:
        if leads[i]:
            return leads[i]
        return _uncommented(blocks[i - 1], comment) if i and not blocks[i].startswith(label) else None

    return [_redacted_part(block, comment, above(i)) for i, block in enumerate(blocks)]


def _uncommented(block: str, comment: str) -> str:
    """A snippet's block without the comment marker ``snippet_block`` put before each line."""
    lead = comment + " "
    return "\n".join(line.removeprefix(lead) if line != comment else "" for line in block.split("\n"))


def _commented(text: str, comment: str) -> str:
    """``text``'s lines commented out as ``snippet_block`` does (``_uncommented`` undone)."""
    body, end = (text[:-1], "\n") if text.endswith("\n") else (text, "")
    return "\n".join(f"{comment} {line}".rstrip() for line in body.split("\n")) + end
#: Lines longer than this are keyed by a digest, not by their bytes. Typing on a long line
#: (minified code, data) makes a new key per keystroke: keyed by the bytes, 8,192 entries of a
#: 100 kB line would hold 800 MB; keyed by a 16-byte digest the cache stays a few MB
#: whatever the lines (tests/test_reliability_limits.py).
LINE_KEY_MAX_BYTES = 256


def count_line(count: TokenCount, line: bytes) -> int:
    """Token count of a text, cached: typing changes one line, the rest of the window (and the
    prompt's head, the same from one keystroke to the next) is free."""
    # Keyed by the counter itself, not by ``id(count)``: ``counter.count`` is a new bound-method
    # object on every access, so its id changed from one request to the next and most lookups
    # missed; and a key holding the object keeps its id from being reused by another counter.
    owner = getattr(count, "__self__", count)
    key = (owner, line if len(line) <= LINE_KEY_MAX_BYTES else hashlib.blake2b(line, digest_size=16).digest())
    hit = _line_tokens.get(key)
    if hit is None:
        hit = count(line.decode("utf-8", "replace")) if line else 0
        _line_tokens[key] = hit
    return hit


@dataclass(frozen=True)
class FimPrompt:
    prompt: str
    suffix: str
    #: Byte offsets of the cursor window in the document.
    window_start: int
    window_end: int
    prompt_tokens: int
    suffix_tokens: int


def label_line(comment: str, path: str) -> str:
    """The line naming a file in the prompt: each snippet's, and the file being written's."""
    return f"{comment} Path: {path}\n"


def snippet_block(comment: str, path: str, text: str, count: TokenCount) -> tuple[str, int]:
    """A snippet as the prompt shows it (commented out, under its path) and its token count,
    through the per-text cache: the completion feature counts definitions ahead with this very
    function, so the prompt finds them counted."""
    block = label_line(comment, path) + "".join(f"{comment} {line}".rstrip() + "\n" for line in text.splitlines())
    return block, count_line(count, block.encode("utf-8"))


def whole_lines(doc: Document, count: TokenCount) -> LineTokenCount:
    """Line counts through the per-text cache (``line_tokens.LineTokens`` keeps them per document)."""
    return lambda line: count_line(count, doc.data[doc.line_start(line) : doc.line_start(line + 1)])


#: Tokens of the cursor line always sent on each side, however small the budget: past this,
#: and past the budget, a line (minified code, a data blob) is cut.
LINE_FLOOR = 32


def _char_start(data: bytes, at: int) -> int:
    """``at``, moved forward to the start of a UTF-8 character (never inside one)."""
    at = max(0, min(at, len(data)))
    while at < len(data) and data[at] & 0xC0 == 0x80:
        at += 1
    return at


#: Bytes of the cursor line looked at first for each token of the budget. Code and prose run
#: 2-5 bytes a token: a line longer than this (minified code) is cut from its part near the
#: cursor, and only text sparser than that (long runs of blanks) is counted whole.
_NEAR_BYTES_PER_TOKEN = 8


def _line_part(doc: Document, offset: int, far: int, budget: int, count: TokenCount) -> tuple[int, int]:
    """(far end, tokens) of the cursor line's part between ``offset`` and ``far`` (its start or
    its end); when even its ``budget * _NEAR_BYTES_PER_TOKEN`` bytes nearest the cursor count
    more than the budget, those bytes instead (``_cut_line`` cuts them further).

    The whole part was counted on each keystroke: at the end of a 200 kB minified line, 110 ms
    of DeepSeek's tokenizer, twice a request, for a prompt that keeps ~6 kB of the line."""
    limit = max(budget, LINE_FLOOR)
    reach = limit * _NEAR_BYTES_PER_TOKEN
    if abs(far - offset) > reach:
        near = _char_start(doc.data, offset - reach if far < offset else offset + reach)
        used = count_line(count, doc.data[min(near, offset) : max(near, offset)])
        if used > limit:
            return near, used
    return far, count_line(count, doc.data[min(far, offset) : max(far, offset)])


def _cut_line(
    doc: Document, offset: int, far: int, used: int, budget: int, count: TokenCount
) -> tuple[int, int]:
    """The cursor line's part between ``offset`` and ``far`` (its start or its end), which
    counts ``used`` tokens, cut to ``budget`` at a character boundary: (new far end, tokens)."""
    for attempt in range(12):  # token density varies along the line: shrink again if need be
        span = abs(far - offset) * budget // max(used, 1)
        if attempt >= 2:
            span = span * 7 // 8  # denser near the cursor than the part cut off: converge
        far = _char_start(doc.data, offset - span if far < offset else offset + span)
        used = count_line(count, doc.data[min(far, offset) : max(far, offset)])
        if used <= budget:
            return far, used
    return offset, 0  # never over the budget: nothing of the line rather than too much


def _prefix_window(
    doc: Document, offset: int, budget: int, count: TokenCount, lines: LineTokenCount
) -> tuple[int, int]:
    """(start byte, tokens) of the window before the cursor, start snapped to a round line."""
    cursor_line = doc.line_at(offset)
    far, used = _line_part(doc, offset, doc.line_start(cursor_line), budget, count)
    if used > max(budget, LINE_FLOOR):
        # A line longer than the budget (minified code): only its end before the cursor.
        return _cut_line(doc, offset, far, used, budget, count)
    slack = _line_slack(used, budget)
    used += slack
    first = cursor_line
    block = getattr(lines, "block", None)
    while first > 0:
        if block is not None and first % WINDOW_STEP == 0:
            # A whole block at once; one that does not fit is walked into line by line.
            whole = block(first // WINDOW_STEP - 1)
            if whole is not None and used + whole <= budget:
                used += whole
                first -= WINDOW_STEP
                continue
        cost = lines(first - 1)
        if used + cost > budget:
            break
        used += cost
        first -= 1
    if first > 0:
        start, dropped = _snap(first, cursor_line, budget // SNAP_SHARE, lines)
        first, used = start, used - dropped
    return doc.line_start(first), used - slack


def _line_slack(used: int, budget: int) -> int:
    """Tokens reserved on the cursor's line past the ``used`` ones of its part typed.

    The line being typed is reserved ``LINE_FLOOR`` tokens however much of it is typed: its
    count goes up and down as words are typed ("fo" is two tokens, "for" one), and where the
    walk ends near a step, each such token moved the window start a step back and forth."""
    return max(0, min(LINE_FLOOR, budget) - used)


def _kept_window(
    doc: Document, offset: int, start: int, budget: int, count: TokenCount, lines: LineTokenCount
) -> tuple[int, int] | None:
    """(``start``, tokens) of the window from ``start`` (the last prompt's window start) to the
    cursor, where it is a line start above the cursor and the window fits ``budget`` leaving
    no more of it unused than the snap to a round line may give up (``SNAP_SHARE``); else None.

    The cursor moved a few lines within the last prompt's window (a line fixed above, the next
    function begun below): the walk back from it ended elsewhere, and the snap found another
    round line after a move of 10 lines in a fifth of the moves, of 20 in half of them (the
    replay's files, a 2,048-token budget). All the prompt after the head missed DeepSeek's
    prefix cache then, the lines both windows hold with it."""
    if not 0 <= start <= offset:
        return None
    cursor_line = doc.line_at(offset)
    if start > doc.line_start(cursor_line):
        return _kept_cut(doc, offset, start, budget, count)
    line = doc.line_at(start)
    if doc.line_start(line) != start:
        return None  # text inserted above it since: the old offset is inside a line
    _far, used = _line_part(doc, offset, doc.line_start(cursor_line), budget, count)
    if used > max(budget, LINE_FLOOR):
        return None  # the line is cut: as _prefix_window does
    slack = _line_slack(used, budget)
    used += slack
    for before in range(line, cursor_line):
        used += lines(before)
        if used > budget:
            return None
    if line > 0 and used < budget - budget // SNAP_SHARE:
        # More than the snap may give up (from the file's start, the window is all there is).
        return None
    return start, used - slack


def _kept_cut(doc: Document, offset: int, start: int, budget: int, count: TokenCount) -> tuple[int, int] | None:
    """(``start``, tokens) of the cursor line's part from ``start``, where the last prompt's
    line longer than the budget (minified code) was cut, to the cursor, where it fits the
    budget as ``_kept_window``'s whole lines do; else None.

    Cut anew at each key typed on the line, the cut's start moved with the key: the prompt
    shared nothing past its path line with the last one (DeepSeek's prefix cache missed ~90 %
    of it), and ~15 kB of the line were counted to learn it was over the budget again."""
    if _char_start(doc.data, start) != start:
        return None
    used = count_line(count, doc.data[start:offset])
    if budget - budget // SNAP_SHARE <= used <= budget:
        return start, used
    return None


def _roundness(line: int, step: int = WINDOW_STEP) -> int:
    """How round a line number is: its trailing zero bits, up to those of ``step``."""
    return min((line & -line).bit_length(), step.bit_length())


def _snap(
    edge: int, limit: int, spare: int, lines: LineTokenCount, *, step: int = WINDOW_STEP, toward: int = 1
) -> tuple[int, int]:
    """(edge, tokens given up): the roundest edge line that gives up at most ``spare`` tokens
    of the window, the nearest to ``edge`` of the roundest. ``edge`` is the window's first line
    (``toward`` 1: lines are given up from its start, up to ``limit``) or the first line after
    it (``toward`` -1: from its end, down to ``limit``).

    The window's walk back ends a line further each time a line is typed; its start stays on
    the round line until the walk passes it. A fixed step of 32 lines gave up to 31 lines of
    the budget: with long lines or a small budget, most of the window or all of it but the
    cursor line. Where ``step`` lines count fewer than ``spare`` tokens, this is that step."""
    best, given_up = edge, 0
    at, dropped = edge, 0
    while (limit - at) * toward > 0:
        dropped += lines(at if toward > 0 else at - 1)
        if dropped > spare:
            break
        at += toward
        if _roundness(at, step) > _roundness(best, step):
            best, given_up = at, dropped
    return best, given_up


#: A UTF-8 byte order mark, which an editor that keeps a file's sends first in its text.
_BOM = "\ufeff".encode()


def _text_and_clean(
    doc: Document, start: int, end: int, clean: Callable[[int], bool] | None, known: Callable[[int], bool] | None
) -> tuple[str, list[tuple[int, int]]]:
    """The text of ``[start, end)`` (a prompt's window or its suffix), and the ranges of it
    made of whole lines whose ``WINDOW_STEP``-line block ``LineCounter`` flags as holding no
    secret trigger: redaction need not search them (0.3 ms of a 14 kB window). A block wholly
    in the range is looked at once (``clean``); one the range cuts (the window's top, the
    cursor's, the suffix's end) only where already known (``known``): looking at all of it
    would search more than it spares, and the block being typed in is never known. Any whole
    line of a clean block is clean: no trigger runs across a line break. The cursor's line, cut,
    is always searched (``pw`` alone, before ``x``, is one). A byte order mark first in the
    file is left out: no code, and sent, the model read it after the prompt's path line."""
    if start < len(_BOM) and doc.data.startswith(_BOM):
        start = max(start, min(len(_BOM), end))
    if clean is None or known is None:
        return doc.data[start:end].decode("utf-8", "replace"), []
    first = doc.line_at(start)
    if doc.line_start(first) < start:
        first += 1
    stop = doc.line_at(end)  # lines [first, stop) are whole in the range
    pieces: list[str] = []
    ranges: list[tuple[int, int]] = []
    at, size = start, 0
    b = first // WINDOW_STEP
    while b * WINDOW_STEP < stop:
        lo, hi = max(b * WINDOW_STEP, first), min((b + 1) * WINDOW_STEP, stop)
        whole = lo == b * WINDOW_STEP and hi == (b + 1) * WINDOW_STEP
        if clean(b) if whole else known(b):
            span_start, span_end = doc.line_start(lo), doc.line_start(hi)
            if span_start > at:
                piece = doc.data[at:span_start].decode("utf-8", "replace")
                pieces.append(piece)
                size += len(piece)
            # Lines end after a line break: decoding them apart splits no character.
            piece = doc.data[span_start:span_end].decode("utf-8", "replace")
            ranges.append((size, size + len(piece)))
            pieces.append(piece)
            size += len(piece)
            at = span_end
        b += 1
    pieces.append(doc.data[at:end].decode("utf-8", "replace"))
    return "".join(pieces), ranges


def _suffix_window(
    doc: Document, offset: int, budget: int, count: TokenCount, lines: LineTokenCount
) -> tuple[int, int]:
    cursor_line = doc.line_at(offset)
    end = doc.line_end(cursor_line, with_eol=True)
    far, used = _line_part(doc, offset, end, budget, count)
    if used > max(budget, LINE_FLOOR):
        # A line longer than the budget (minified code): only its start after the cursor.
        return _cut_line(doc, offset, far, used, budget, count)
    last = cursor_line
    while used < budget:
        nxt = last + 1
        if doc.line_start(nxt) >= len(doc.data):
            break
        cost = lines(nxt)
        if used + cost > budget:
            break
        used += cost
        last = nxt
    if last > cursor_line:
        # Where the last line taken ends, once: found for each line walked, ~a third of the walk.
        end = doc.line_end(last, with_eol=True)
    if last > cursor_line and end < len(doc.data):
        # Its end snapped back to a round line as the window's start is (the line after the
        # cursor's kept): a 16-line step left one line of six after the cursor on long lines.
        after, dropped = _snap(last + 1, cursor_line + 2, budget // SNAP_SHARE, lines, step=SUFFIX_STEP, toward=-1)
        if after <= last:
            end = doc.line_end(after - 1, with_eol=True)
            used -= dropped  # not sent, not counted
    return end, used


def _growth(before: str, after: str, count: TokenCount) -> int:
    """How many tokens more ``after`` (``before`` redacted) counts than ``before``; the lines
    redaction left alone are not counted again."""
    if after == before:
        return 0
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    if len(old) != len(new):  # a key block replaced, line breaks and all
        return count(after) - count(before)
    return sum(
        count_line(count, b.encode("utf-8")) - count_line(count, a.encode("utf-8"))
        for a, b in zip(old, new, strict=True)
        if a != b
    )


def _fitting_snippets(
    snippets: Sequence[Snippet], comment: str, budget: int, count: TokenCount
) -> tuple[list[str], int, list[str]]:
    """The blocks of the snippets that fit ``budget``, their tokens and each one's ``lead``
    (read by redaction, never sent). Chosen by rank (the
    definition of the name nearest the cursor first), laid out in the order given (sorted, so
    the head is the same from one keystroke to the next): chosen in that order, the snippets
    of files named later in the alphabet were the ones left out, the nearest name's often. A
    definition that does not fit whole is tried as its signature."""
    blocks = [snippet_block(comment, s.path, s.text, count) for s in snippets]
    # One "Path:" line per file: its snippets are laid out together (sorted by path), so a
    # file's second definition costs its text alone. Each under its own label, the labels
    # (a workspace path, ~10 tokens) took the room of a definition at the extras' cap.
    labelled: set[str] = set()
    kept: list[int] = []
    used = 0
    for i in sorted(range(len(snippets)), key=lambda i: snippets[i].rank):
        path = snippets[i].path
        saved = count_line(count, label_line(comment, path).encode()) if path in labelled else 0
        short = snippets[i].short
        if used + blocks[i][1] - saved > budget and short is not None:
            # A definition too long for what is left goes as the longest of its shorter forms
            # that fits, else as its signature: its arguments are what a call needs.
            room = budget - used + saved
            blocks[i] = _longest_fitting(comment, path, snippets[i].shorter, room, count) or (
                snippet_block(comment, path, short, count)
            )
        if used + blocks[i][1] - saved <= budget:
            kept.append(i)
            labelled.add(path)
            used += blocks[i][1] - saved
    out: list[str] = []
    previous = None
    for i in sorted(kept):
        block = blocks[i][0]
        if snippets[i].path == previous:
            block = block.removeprefix(label_line(comment, previous))  # said once above
        previous = snippets[i].path
        out.append(block)
    return out, used, [snippets[i].lead for i in sorted(kept)]


def _longest_fitting(
    comment: str, path: str, forms: Sequence[str], room: int, count: TokenCount
) -> tuple[str, int] | None:
    """The block of the longest of ``forms`` (longest first) within ``room`` tokens, counted
    by halves: one by one, a Go struct's 16 forms would be 16 counts of up to ~500 tokens."""
    lo, hi, found = 0, len(forms), None
    while lo < hi:
        mid = (lo + hi) // 2
        block = snippet_block(comment, path, forms[mid], count)
        if block[1] <= room:
            found, hi = block, mid
        else:
            lo = mid + 1
    return found


def _header_above(data: bytes, scope: Scope, window_start: int) -> str:
    """A scope's header as the prompt's head sends it: where the window starts inside it (a
    signature of many lines), its part above the window, which the window reads on from.
    Sent whole, its lines in the window came twice."""
    header = scope.header.encode("utf-8")
    if window_start < scope.body_start:
        # Decorators come first in the header: it starts at or before the scope itself.
        at = data.rfind(header, 0, scope.start + len(header))
        if 0 <= at < window_start < at + len(header):
            return header[: window_start - at].decode("utf-8", "ignore")
    return scope.header + "\n"


def build_fim_prompt(
    doc: Document,
    offset: int,
    *,
    budget: int,
    suffix_share: float,
    count: TokenCount,
    snippets: Sequence[Snippet] = (),
    scopes: Sequence[Scope] = (),
    imports: Sequence[tuple[int, int, str]] = (),
    line_comment: str | None = None,
    path: str = "",
    label: str = "",
    redact_secrets: bool = True,
    inserted: str = "",
    line_tokens: LineTokenCount | None = None,
    kept_start: int | None = None,
    narrowest: bool = False,
) -> FimPrompt:
    """The FIM prompt for the cursor at byte ``offset``.

    ``inserted`` is text treated as if typed at the cursor (a suggestion being prefetched or a
    selected completion item), without copying the document. ``line_tokens`` counts whole lines
    (the caller keeps them per document); without it, lines go through the per-text cache.
    ``kept_start`` is the window start of the document's last prompt, kept where the window
    from it still fits (``_kept_window``). ``label`` is the path's line of a file without a
    grammar (no ``line_comment``), in its language's own comment (``/* Path: a.css */``).
    ``narrowest``: the prompt with the extra context's share of the budget all taken, whatever
    ``snippets``: its window (``window_start``, ``window_end``) is what every prompt at the
    cursor holds, what the snippets are chosen against (a definition there is seen without one).

    A snippet of the document itself that the window holds all the same (the snippets left it
    out at its narrowest; it reached further, their room unused) is left out: its lines came
    twice, paid for twice.
    """
    lay_out = partial(
        _fim_prompt, doc, offset, budget=budget, suffix_share=suffix_share, count=count, scopes=scopes,
        imports=imports, line_comment=line_comment, path=path, label=label, redact_secrets=redact_secrets,
        inserted=inserted, line_tokens=line_tokens, kept_start=kept_start, narrowest=narrowest,
    )  # fmt: skip
    fim = lay_out(snippets)
    held = [s for s in snippets if _window_holds(doc, fim, s)] if not narrowest else []
    if not held:
        return fim
    # Without them the window has more room: it starts no later, and still holds them.
    wider = lay_out([s for s in snippets if all(s is not h for h in held)])
    return wider if all(_window_holds(doc, wider, s) for s in held) else fim


def _window_holds(doc: Document, fim: FimPrompt, snippet: Snippet) -> bool:
    """Whether ``fim``'s window (before and after the cursor) holds ``snippet``'s text, a
    definition of the document at its line (its decorators a few lines above it)."""
    if snippet.kind not in ("definition", "signature"):
        return False
    text = snippet.text.removesuffix("\n…").encode("utf-8")
    # It starts on its line (a method's after its indentation) or on a decorator's above.
    lo = max(fim.window_start, doc.line_start(max(0, snippet.line - 4)))
    hi = min(fim.window_end, doc.line_start(snippet.line + 1) + len(text))
    return bool(text) and doc.data.find(text, lo, hi) >= 0


def _fim_prompt(
    doc: Document,
    offset: int,
    snippets: Sequence[Snippet],
    *,
    budget: int,
    suffix_share: float,
    count: TokenCount,
    scopes: Sequence[Scope],
    imports: Sequence[tuple[int, int, str]],
    line_comment: str | None,
    path: str,
    label: str,
    redact_secrets: bool,
    inserted: str,
    line_tokens: LineTokenCount | None,
    kept_start: int | None,
    narrowest: bool,
) -> FimPrompt:
    """``build_fim_prompt``'s prompt with ``snippets`` as they are."""
    lines = line_tokens or whole_lines(doc, count)
    # The prefix keeps a third of the budget at least: the suffix and the extra context share
    # the rest (a suffix share over ~0.45 and full extras went over the budget).
    floor = budget // 3
    suffix_budget = min(int(budget * suffix_share), budget - floor)
    extras_budget = max(0, min(int(budget * EXTRAS_SHARE), budget - suffix_budget - floor)) if line_comment else 0

    head_parts: list[str] = []
    leads: list[str] = []
    used_extra = 0
    if narrowest:
        used_extra = extras_budget
    elif line_comment:
        head_parts, used_extra, leads = _fitting_snippets(snippets, line_comment, extras_budget, count)

    prefix_budget = budget - suffix_budget - used_extra
    # Text treated as typed (a suggestion prefetched past, up to ``multiLineMaxTokens``) is
    # sent with the window, in the same room: it used to come on top of the budget.
    inserted_tokens = count(inserted) if inserted else 0

    # The same window start's head is asked for up to three times a request (the widest head,
    # the one reserved for, the one sent) and the cursor's at each attempt: made once each.
    @cache
    def file_head_for(window_start: int) -> tuple[list[str], list[int]]:
        parts: list[str] = []
        if line_comment and path:
            parts.append(label_line(line_comment, path))
        elif label:
            parts.append(label)
        if window_start > 0:
            # Once each: a module imported again inside functions (difflib's ``import re``,
            # lazy imports in a CLI) came as many times in every prompt.
            outside = list(dict.fromkeys(text for _start, end, text in imports if end <= window_start))
            if outside:
                parts.append("\n".join(outside) + "\n")
            for scope in scopes:
                if scope.start < window_start and scope.header:
                    parts.append(_header_above(doc.data, scope, window_start))
            # An import the window starts inside (a long list of names in brackets) goes as
            # its part above the window, last, so the window reads on from it. Sent whole,
            # the names in the window came twice, paid for twice.
            for start, end, text in imports:
                if start < window_start < end:
                    parts.append(text.encode("utf-8")[: window_start - start].decode("utf-8", "ignore"))
        # Each part is counted on its own (they end with line breaks, so the sum is the count of
        # the whole to a token or two): the same imports and headers come back with every window.
        costs = [count_line(count, part.encode("utf-8")) for part in parts]
        if sum(costs) > extras_budget + prefix_budget // 4 - used_extra and parts:
            parts, costs = parts[:1], costs[:1]
        return parts, costs

    window_end, suffix_tokens = _suffix_window(doc, offset, suffix_budget, count, lines)
    # Block flags only matter to redaction: without it, no block is looked at for triggers.
    flags = getattr(lines, "clean", None) if redact_secrets else None
    known = getattr(lines, "known_clean", None)
    suffix_text, suffix_clean = _text_and_clean(doc, offset, window_end, flags, known)
    extras_grown = 0
    if redact_secrets:
        # Each part on its own: a key block cut short in a snippet (its BEGIN line without
        # the END) is redacted to the end of its text, which was the whole prompt after it.
        redacted_parts = _redacted_snippets(head_parts, leads, line_comment or "")
        extras_grown = sum(_growth(a, b, count) for a, b in zip(head_parts, redacted_parts, strict=True))
        head_parts = redacted_parts

    # The budget was spent on the text as written; redaction may make it longer: a short
    # secret (``"secret"``, one token) goes out as ``"[REDACTED]"`` (five), and a fixture file
    # of such lines went 30 % over the budget. The window then gives up what they grew by.
    shrink = 0
    for _attempt in range(4):
        room = max(prefix_budget - inserted_tokens - shrink, 0)
        # The file head is sent before the window, within the same budget (it used to come on
        # top, up to half as much again). What it holds depends on where the window starts (the
        # imports and scope headers above it): the window leaves room for the most it can hold,
        # the head it would have were the window to start at the cursor.
        widest = sum(file_head_for(offset)[1])
        kept, own = None, 0
        if kept_start is not None and 0 <= kept_start <= offset:
            own = sum(file_head_for(kept_start)[1])
            kept = _kept_window(doc, offset, kept_start, max(room - own, 0), count, lines)
        if kept is not None:
            window_start, prefix_tokens = kept
            widest = own
        else:
            window_start, prefix_tokens = _prefix_window(doc, offset, max(room - widest, 0), count, lines)
        # Then the room of the head that window has: the headers of the scopes starting inside
        # it (the function being written) are not sent, yet they were reserved for, and they
        # come and go as the line typed breaks the tree and mends it: the window start moved a
        # step back and forth with them, a prefix-cache miss each time. A window starting
        # earlier has no more scopes starting before it, so its head fits in the same room.
        reserved = sum(file_head_for(window_start)[1])
        if reserved < widest:
            window_start, prefix_tokens = _prefix_window(doc, offset, max(room - reserved, 0), count, lines)
            widest = reserved
        file_head, file_costs = file_head_for(window_start)
        if sum(file_costs) > widest:  # the widest was cut to the path line; so is this one
            file_head, file_costs = file_head[:1], file_costs[:1]
        head_tokens = used_extra + (1 if head_parts else 0) + sum(file_costs)

        window, clean = _text_and_clean(doc, window_start, offset, flags, known)
        window += inserted
        suffix = suffix_text
        grown, suffix_grown = extras_grown, 0
        if redact_secrets:
            redacted_head = [_redacted_part(part) for part in file_head]
            grown += sum(_growth(a, b, count) for a, b in zip(file_head, redacted_head, strict=True))
            file_head = redacted_head
            # The window and the suffix each with the other as context: a Kubernetes Secret's
            # ``kind`` line may be in one and its ``data:`` values in the other.
            raw_window = window
            window, suffix = split_at_secret(window, suffix)
            if window != raw_window:
                clean = ()  # positions in the window as it was
            after_clean = suffix_clean if suffix is suffix_text else ()
            # The lines above the window too: a secret's name there, its value at the window's top.
            above_start = max(0, window_start - ABOVE_WINDOW)
            raw_above = doc.data[above_start:window_start].decode("utf-8", "ignore")
            above = raw_above
            if doc.language_id == "yaml" or doc.uri.lower().endswith((".yaml", ".yml")):
                # A search back through the file: only where a Kubernetes manifest may be.
                above = secret_manifest_head(doc.data, above_start, raw_above, window)
            if doc.language_id in ("json", "jsonc") or doc.uri.lower().endswith(".json"):
                # A Composer section's name further up than that: its hosts' tokens fill the
                # window (a search back through the file: only where such a section may be).
                above = open_section_head(doc.data, above_start) + above
            if above is raw_above and (doc.language_id in _STRUCTURED or doc.uri.lower().endswith(_STRUCTURED_SUFFIXES)):
                # The names of the mapping, table or object the window is deep inside of (further
                # up than that too: a window among a long ``api_keys:`` mapping's entries sent them).
                tables = doc.language_id in ("toml", "ini") or doc.uri.lower().endswith(_TABLE_SUFFIXES)
                head = open_list_head(doc.data, above_start, tables=tables)
                if head:
                    whole = doc.data[above_start - 1 : above_start] in (b"\n", b"")
                    above = head + (raw_above if whole else raw_above.split("\n", 1)[-1])
            if "\n" not in raw_above and above.endswith(raw_above):
                # The window and the text above it all inside one long line (a list of thousands
                # of keys, a minified file's): its name, further back, before that text.
                above = above[: len(above) - len(raw_above)] + open_line_list_head(doc.data, above_start) + raw_above
            # The suffix with the lines above the window too: a section's name there (Composer's
            # ``"github-oauth": {``), its hosts' tokens in the window and the suffix (those in
            # the suffix went out).
            window, suffix = (
                redact(window, clean=clean, before=above, after=suffix),
                _redacted_suffix(suffix, window, above, after_clean),
            )
            suffix_grown = _growth(suffix_text, suffix, count)
            grown += _growth(raw_window, window, count)
        over = head_tokens + prefix_tokens + inserted_tokens + suffix_tokens + grown + suffix_grown - budget
        if over <= 0 or grown + suffix_grown <= shrink or window_start == offset:
            break
        # The window gives up what redaction added, not what the total is over by: that goes
        # up and down with the line being typed ("fo" is two tokens, "for" one), and the
        # window start with it, a prefix-cache miss each time (see ``_prefix_window``).
        shrink = grown + suffix_grown
    # What is sent, counted: the ledger bills a cancelled request by these.
    prefix_tokens += grown + inserted_tokens
    suffix_tokens += suffix_grown
    head = "".join(head_parts) + ("\n" if head_parts else "") + "".join(file_head)
    prompt = head + window
    return FimPrompt(
        prompt=prompt,
        suffix=suffix,
        window_start=window_start,
        window_end=window_end,
        prompt_tokens=head_tokens + prefix_tokens,
        suffix_tokens=suffix_tokens,
    )
