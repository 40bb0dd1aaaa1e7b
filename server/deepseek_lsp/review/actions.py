"""The review's quick fixes and commands: applying a finding's fix (a versioned edit where the
editor takes one), ignoring a finding in its project, showing the ignored ones again (``ignores``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ..documents import Document
from ..notebooks import CellSpan
from .findings import Finding
from .publishing import SOURCE, FileState, Publisher, finding_id, message_of

CMD_REVIEW_FILE = "deepseek.reviewFile"
CMD_REVIEW_AGAIN = "deepseek.review.again"
CMD_IGNORE = "deepseek.review.ignore"
#: The findings ignored in a file's project shown again: an "Ignore" clicked by mistake (it
#: sits below "Apply") held for good, with no way back but deleting the cache's database.
CMD_UNIGNORE_ALL = "deepseek.review.unignoreAll"


#: A finding's message in a code action's title is cut to this many characters.
_TITLE_MESSAGE_CHARS = 60


def _short(message: str) -> str:
    if len(message) <= _TITLE_MESSAGE_CHARS:
        return message
    return message[: _TITLE_MESSAGE_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


class QuickFixes:
    """The review's code actions on the findings ``publisher`` shows: apply a finding's fix,
    ignore it, review the file again. ``capabilities`` gives the client's (None before it
    connects), which say whether a fix may be a versioned edit."""

    def __init__(self, publisher: Publisher, capabilities: Callable[[], Any]) -> None:
        self.publisher = publisher
        self.capabilities = capabilities

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        only = params.context.only
        if only and not any(kind in ("", types.CodeActionKind.QuickFix) for kind in only):
            # Asked for other kinds (organize imports, fix all on save). Zed's
            # code_actions_on_format ran every action answered (until zed#20847): each format
            # applied the DeepSeek fixes, and could ignore findings for good and review again.
            return []
        uri = params.text_document.uri
        doc, cell = self.publisher.view(uri)
        state = self.publisher.files.get(doc.uri) if doc is not None else None
        if doc is None or state is None or not len(state.tracked):
            return []
        if doc.uri != uri and cell is None:
            return []  # a notebook's markdown cell
        wanted = {
            found
            for d in params.context.diagnostics
            if d.source == SOURCE
            for found in self._meant(d, uri, state)
        }
        rng = cell.to_doc(params.range) if cell is not None else params.range
        lo, hi = doc.offset_at(rng.start), doc.offset_at(rng.end)
        findings = state.tracked.about(wanted, lo, hi)
        if wanted and state.moves_timer is not None:
            # Lines added since the editor was last told: it shows the diagnostics moved with
            # the text, but sends them at their old lines. Asked at the cursor, the finding
            # whose code is there now is the one meant (Neovim's "gra" on a moved finding
            # offered the fix of the finding below it, and applied it there).
            here = state.tracked.about((), lo, hi)
            findings = [f for f in findings if f in here] or here or findings
        actions: list[types.CodeAction] = []
        by_id = {finding_id(d): d for d in self.publisher.diagnostics(doc, findings)}
        for f in findings:
            # Several findings here (overlapping code, one line): the menu listed "Apply
            # DeepSeek fix" and "Ignore this DeepSeek finding" once for each, with nothing to
            # tell which finding each one was for.
            about = f": {_short(f.message)}" if len(findings) > 1 else ""
            diagnostic = by_id[f.id]
            if cell is not None:
                diagnostic = attrs.evolve(diagnostic, range=cell.to_cell(diagnostic.range, doc))
            # A fix is an edit of the cell's text: not of code beyond it.
            fixable = cell is None or (
                cell.holds(doc.position_at(f.start).line) and cell.holds(doc.position_at(f.end).line)
            )
            if f.fix is not None and fixable:
                actions.append(
                    types.CodeAction(
                        title=f"Apply DeepSeek fix{about}",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        is_preferred=True,
                        edit=self._fix_edit(doc, f, cell),
                    )
                )
            actions.append(
                types.CodeAction(
                    title=f"Ignore this DeepSeek finding{about}",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    command=types.Command(
                        title="Ignore this DeepSeek finding",
                        command=CMD_IGNORE,
                        arguments=[uri, f.id],
                    ),
                )
            )
        if findings:
            actions.append(
                types.CodeAction(
                    title="Review this file again with DeepSeek",
                    kind=types.CodeActionKind.QuickFix,
                    command=types.Command(
                        title="Review this file again", command=CMD_REVIEW_AGAIN, arguments=[uri]
                    ),
                )
            )
        return actions

    def _meant(self, d: types.Diagnostic, uri: str, state: FileState) -> set[str]:
        """The findings a diagnostic sent back is of: its data's id, or, from a client that
        drops data (eglot declares no dataSupport), those of its message, the one published
        nearest its range when several have that message. None found: the findings at the
        cursor."""
        found = finding_id(d)
        if found is not None:
            return {found}
        same = {f.id for f in state.findings if message_of(f) == d.message}
        if len(same) < 2:
            return same
        # Sent back where it was not published (the client moved it with its own edit): every
        # finding of that message was offered, the first in the menu applied at its own place.
        rng = d.range
        sent = (rng.start.line, rng.start.character, rng.end.line, rng.end.character)
        far = {
            shape[0]: _distance(tuple(shape[1:]), sent)
            for shape in state.published.get(uri, ())
            if shape[0] in same
        }
        nearest = min(far.values(), default=None)
        return {i for i, distance in far.items() if distance == nearest} or same

    def _fix_edit(
        self, doc: Document, finding: Finding, cell: CellSpan | None = None
    ) -> types.WorkspaceEdit:
        rng = doc.range_of(finding.start, finding.end)
        uri, version = (cell.uri, cell.version) if cell is not None else (doc.uri, doc.version)
        edit = types.TextEdit(
            range=cell.to_cell(rng, doc) if cell is not None else rng, new_text=finding.fix or ""
        )
        caps = self.capabilities()
        ws_edit = caps.workspace.workspace_edit if caps and caps.workspace else None
        if ws_edit is not None and ws_edit.document_changes:
            # Versioned: a client whose text moved on since refuses the edit instead of
            # applying it to the wrong code.
            return types.WorkspaceEdit(
                document_changes=[
                    types.TextDocumentEdit(
                        text_document=types.OptionalVersionedTextDocumentIdentifier(
                            uri=uri, version=version
                        ),
                        edits=[edit],
                    )
                ]
            )
        return types.WorkspaceEdit(changes={uri: [edit]})


def _distance(published: tuple[int, ...], sent: tuple[int, int, int, int]) -> tuple[int, int]:
    """How far a range sent back is from one published (start and end line, column): lines
    first, a diagnostic moved by the client's edit keeps its columns."""
    lines = abs(published[0] - sent[0]) + abs(published[2] - sent[2])
    return lines, abs(published[1] - sent[1]) + abs(published[3] - sent[3])


def _uri_argument(args: tuple[Any, ...], command: str) -> str:
    """Commands take the URI first; VS Code may wrap it as ``{"uri": ...}`` or pass a list.

    Without one, the request is answered with an error: Helix's ``:lsp-workspace-command``
    lists the server's commands and runs them without arguments, and a result saying "document
    is not open" was shown nowhere (nothing happened, without a word).
    """
    first: Any = args[0] if args else ""
    if isinstance(first, list) and first:
        first = first[0]
    if isinstance(first, dict):
        first = first.get("uri") or first.get("external") or ""
    if not isinstance(first, str) or not first:
        raise JsonRpcInvalidParams(message=f"{command} takes the file's URI as its first argument")
    return first
