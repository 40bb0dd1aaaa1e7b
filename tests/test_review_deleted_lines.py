"""Deleted code is reviewed: the unit that held the deleted lines (a lock release, a check) is
sent with them shown under its code, as a pull request's diff shows them, measured from git's
last commit; a whole deleted chunk of a file with no grammar sends the chunk above it. The
answer stands for the code alone once the deletion is committed: nothing is sent again."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
from dataclasses import replace
from pathlib import Path

from lsprotocol import types

from deepseek_lsp.documents import Document
from deepseek_lsp.review.answer import RawFinding
from deepseek_lsp.review.changed import CI_BASE_VARIABLES
from deepseek_lsp.review.flights import _owned
from deepseek_lsp.review.placing import Placer
from deepseek_lsp.review.prompt import unit_block
from deepseek_lsp.review.removed import removals, with_removals
from deepseek_lsp.review.units import extract_units
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import cli_command, eventually, lsp_session, open_doc
from tests.review_support import (
    REGISTRY,
    Rule,
    doc_of,
    numbered_lines,
    reviewed_units,
    reviewer,
    user_prompt,
)
from tests.test_review_cli import git
from tests.test_review_cli_ci import commit
from tests.test_review_lsp import (
    CHAT,
    SETTINGS,
    as_tuple,
    at,
    change,
    diagnostics,
    env,
    position_of,
    save,
)
from tests.test_review_without_grammar import dockerfile

MODULE = '''import threading

lock = threading.Lock()
items = []


def add(item):
    lock.acquire()
    if item is None:
        raise ValueError("no item")
    items.append(item)
    lock.release()


def count():
    return len(items)


def drop(item):
    if item in items:
        items.remove(item)
'''

#: The model sees the release deleted and flags the acquire left without one.
LEAK = Rule("lock.acquire()", "critical", "The lock is never released: lock.release() was deleted.",
            "with lock:", 0.9)


def repository(where: Path, files: dict[str, str]) -> Path:
    """A git repository at ``where`` with ``files`` committed on ``main``."""
    for name, text in files.items():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        (where / name).write_text(text)
    git(where, "init", "-q", "-b", "main")
    commit(where, "start")
    return where


def python_doc(text: str) -> Document:
    return doc_of(text, "m.py")


def test_deleted_lines_go_to_the_unit_that_held_them() -> None:
    after = python_doc(MODULE.replace("    lock.release()\n", "").replace(
        "    if item in items:\n        items.remove(item)\n", "    items.remove(item)\n"))
    found = removals(MODULE, after)
    units = {u.name: u for u in with_removals(extract_units(after).units, found)}
    assert units["add"].removed == ("    lock.release()",)
    # A guard deleted, its body dedented: the guard alone is deleted.
    assert units["drop"].removed == ("    if item in items:",)
    # A line replaced is not deleted (the model reads what it is now), nor is one moved.
    edited = python_doc(MODULE.replace("return len(items)", "return len(items) + 1"))
    assert all(not u.removed for u in with_removals(extract_units(edited).units, removals(MODULE, edited)))
    assert units["count"].removed == () and units["module level"].removed == ()
    # A whole function deleted goes to no unit (its callers' keys change by its signature).
    moved = python_doc(MODULE.replace('    if item is None:\n        raise ValueError("no item")\n', "").replace(
        "    items.append(item)\n", '    items.append(item)\n    if item is None:\n        raise ValueError("no item")\n'))
    assert all(not u.removed for u in with_removals(extract_units(moved).units, removals(MODULE, moved)))
    gone = python_doc(MODULE.replace("def count():\n    return len(items)\n\n\n", ""))
    assert all(not u.removed for u in with_removals(extract_units(gone).units, removals(MODULE, gone)))
    assert removals(MODULE, python_doc(MODULE)) == []
    # A form feed is no line break in the document's count: the lines stay the units'.
    odd = MODULE.replace("items = []", "items = []  # \f\u2028")
    after = python_doc(odd.replace("    lock.release()\n", ""))
    units = {u.name: u for u in with_removals(extract_units(after).units, removals(odd, after))}
    assert units["add"].removed == ("    lock.release()",)


def test_deleted_lines_are_shown_redacted_and_bounded() -> None:
    secret = 'TOKEN = "ghp_' + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" + '"'
    before = "def f():\n    x = 1\n" + "".join(f"    y{i} = {i}\n" for i in range(40)) + f"    {secret}\n"
    after = python_doc("def f():\n    x = 1\n")
    [unit] = with_removals(extract_units(after).units, removals(before, after))
    assert len(unit.removed) == 41
    block = unit_block(after, unit, redact_secrets=True)
    assert "- … (11 more deleted lines)" in block and "ghp_" not in block
    assert unit_block(after, replace(unit, removed=(f"    {secret}",)), redact_secrets=True).count("[REDACTED]") == 1


async def test_a_deleted_lock_release_is_shown_to_the_review_of_its_function(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    fake_deepseek.responder(reviewer([LEAK]), path=CHAT)
    root = repository(tmp_path / "repo", {"m.py": MODULE})
    uri = (root / "m.py").as_uri()
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings=SETTINGS) as client:
        open_doc(client, uri, MODULE)
        save(client, uri)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=10)
        assert "Deleted from it" not in user_prompt(fake_deepseek.requests_to(CHAT)[0].json)
        line = MODULE.split("\n").index("    lock.release()")
        change(client, 2, at(line, 0, line + 1, 0), "", uri=uri)
        text = MODULE.replace("    lock.release()\n", "")
        (root / "m.py").write_text(text)
        save(client, uri)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 2, timeout=10)
        body = fake_deepseek.requests_to(CHAT)[1].json
        assert reviewed_units(body) == ["add"]
        prompt = user_prompt(body)
        assert "Deleted from it since the last commit" in prompt and "\n-     lock.release()" in prompt
        assert await eventually(lambda: len(diagnostics(client, uri)) >= 1, timeout=10)
        [diag] = [d for d in diagnostics(client, uri) if d.message.startswith(LEAK.message)]
        assert as_tuple(diag.range) == position_of(text, LEAK.needle)
        save(client, uri)  # nothing changed: nothing sent
        await asyncio.sleep(0.5)
        assert len(fake_deepseek.requests_to(CHAT)) == 2
        # Committed, and opened again: nothing is deleted any more, and the code is as reviewed.
        commit(root, "no release")
        client.text_document_did_close(_closed(uri))
        open_doc(client, uri, text, version=3)
        await asyncio.sleep(0.5)  # git answers
        save(client, uri)
        await asyncio.sleep(1.0)
        assert len(fake_deepseek.requests_to(CHAT)) == 2


STAGE = Rule("RUN step-1-8 --flag=8", "warning", "Stage 2 was deleted: its artifacts are copied from nowhere.", None, 0.9)


async def test_a_deleted_chunk_of_a_dockerfile_sends_the_chunk_above_it(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Three whole stages deleted, the very chunk the file is cut into there: every chunk left
    was as committed, and the save sent nothing."""
    fake_deepseek.responder(reviewer([STAGE]), path=CHAT)
    text = dockerfile()
    root = repository(tmp_path / "repo", {"Dockerfile": text})
    uri = (root / "Dockerfile").as_uri()
    lines = text.split("\n")
    start, end = lines.index("FROM base2 AS stage2"), lines.index("FROM base5 AS stage5")
    assert [u.lines for u in extract_units(Document(uri, text)).units][1] == ((start, end - 2),)
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings=SETTINGS) as client:
        open_doc(client, uri, text, language="dockerfile")
        await asyncio.sleep(0.5)  # git answers
        change(client, 2, at(start, 0, end, 0), "", uri=uri)
        save(client, uri)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=10)
        prompt = user_prompt(fake_deepseek.requests_to(CHAT)[0].json)
        assert "1| FROM base0 AS stage0" in prompt and "FROM base5" not in prompt
        assert "\n- FROM base2 AS stage2\n- RUN step-2-0 --flag=0" in prompt
        assert await eventually(lambda: len(diagnostics(client, uri)) == 1, timeout=10)


def _closed(uri: str) -> types.DidCloseTextDocumentParams:
    return types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))


def test_the_command_line_shows_a_branchs_deleted_lines_to_the_review(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """``deepseek-lsp review --changed`` as a process on a repository: the unit a commit of the
    branch deleted a line from is sent with it, as the pull request's diff shows it."""
    fake_deepseek.responder(reviewer([LEAK]), path=CHAT)
    root = repository(tmp_path / "repo", {"m.py": MODULE})
    git(root, "checkout", "-q", "-b", "topic")
    (root / "m.py").write_text(MODULE.replace("    lock.release()\n", ""))
    commit(root, "no release")
    base_env = {**os.environ, **env(fake_deepseek, tmp_path / "state")}
    for name in CI_BASE_VARIABLES:
        base_env.pop(name, None)
    command, run_env = cli_command(["review", "--changed", "--base", "main", "--format", "json"], base_env)
    done = subprocess.run(command, cwd=root, env=run_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr  # a critical finding fails the check
    [request] = fake_deepseek.requests_to(CHAT)
    assert reviewed_units(request.json) == ["add"]
    assert "\n-     lock.release()" in user_prompt(request.json)
    [finding] = json.loads(done.stdout)["files"][0]["findings"]
    assert finding["message"].startswith(LEAK.message)


async def test_a_file_moved_with_git_mv_is_measured_from_its_committed_text(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """``git mv`` not yet committed: HEAD has no file of the new name, so a Dockerfile moved was
    all new (its 164 lines sent for one line edited), and a Python file's deleted lines were
    shown none."""
    fake_deepseek.responder(reviewer([LEAK]), path=CHAT)
    text = dockerfile()
    root = repository(tmp_path / "repo", {"Dockerfile": text, "m.py": MODULE})
    (root / "docker").mkdir()
    git(root, "mv", "Dockerfile", "docker/Dockerfile")
    git(root, "mv", "m.py", "locked.py")
    edited = text.replace("RUN step-7-7 --flag=7", "RUN step-7-7 --flag=77")
    (root / "docker" / "Dockerfile").write_text(edited)
    module = MODULE.replace("    lock.release()\n", "")
    (root / "locked.py").write_text(module)
    docker, py = (root / "docker" / "Dockerfile").as_uri(), (root / "locked.py").as_uri()
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings=SETTINGS, root=str(root)) as client:
        open_doc(client, docker, edited, language="dockerfile")
        open_doc(client, py, module)
        await asyncio.sleep(0.5)  # git answers
        save(client, docker)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=10)
        sent = numbered_lines(fake_deepseek.requests_to(CHAT)[0].json)
        assert edited.split("\n").index("RUN step-7-7 --flag=77") + 1 in sent and len(sent) < 60, len(sent)
        save(client, py)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) >= 2, timeout=10)
        [add] = [r.json for r in fake_deepseek.requests_to(CHAT) if "### function add" in user_prompt(r.json)]
        assert "\n-     lock.release()" in user_prompt(add)


def quoting_the_deleted_line(body: dict[str, object]) -> str:
    """A model that quotes the deleted ``lock.release()`` as its finding's code, diff mark and
    all, with the line it stood on before (the prompt asks for the code above; models do not
    always do so)."""
    prompt = user_prompt(body)  # type: ignore[arg-type]
    if "Deleted from it" not in prompt:
        return json.dumps({"findings": []})
    numbered = {code: int(n) for n, code in _NUMBERED_LINES.findall(prompt)}
    findings = [
        {
            "severity": "critical",
            "line": numbered["    items.append(item)"] + 1,
            "code": code,
            "message": message,
            "suggestion": "    lock.release()",
            "confidence": 0.9,
        }
        for code, message in (
            ("-     lock.release()", "lock.release() was deleted: the lock is never released."),
            ("lock.release()", "Deleting lock.release() leaves the lock held after add returns."),
        )
    ]
    return json.dumps({"findings": findings})


_NUMBERED_LINES = re.compile(r"^(\d+)\| (.*)$", re.M)


async def test_a_finding_quoting_a_deleted_line_is_shown_where_it_was_deleted(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The model quotes the deleted line itself: shown on add's line above where it stood, not
    on pop's release (a function that does release its lock flagged as never releasing it),
    nor dropped as quoting no code of add's."""
    fake_deepseek.responder(quoting_the_deleted_line, path=CHAT)
    module = MODULE + "\n\ndef pop():\n    lock.acquire()\n    item = items.pop()\n    lock.release()\n    return item\n"
    root = repository(tmp_path / "repo", {"m.py": module})
    uri = (root / "m.py").as_uri()
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings=SETTINGS) as client:
        open_doc(client, uri, module)
        await asyncio.sleep(0.5)  # git answers
        line = module.split("\n").index("    lock.release()")
        change(client, 2, at(line, 0, line + 1, 0), "", uri=uri)
        text = module.replace("    lock.release()\n", "", 1)
        save(client, uri)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=10)
        assert "Deleted from it" in user_prompt(fake_deepseek.requests_to(CHAT)[0].json)
        assert await eventually(lambda: len(diagnostics(client, uri)) >= 2, timeout=10)
        shown = sorted((d.message.split(":")[0], as_tuple(d.range)) for d in diagnostics(client, uri))
        assert shown == [
            ("Deleting lock.release() leaves the lock held after add returns.", position_of(text, "items.append(item)")),
            ("lock.release() was deleted", position_of(text, "items.append(item)")),
        ], shown


def test_a_finding_on_another_function_s_own_line_stays_there() -> None:
    """Control: the same code quoted with its own line's number in another function (pop's
    release, numbered) is about that function, though add had the same line deleted."""
    module = MODULE + "\n\ndef pop():\n    lock.acquire()\n    item = items.pop()\n    lock.release()\n    return item\n"
    after = python_doc(module.replace("    lock.release()\n", "", 1))
    units = with_removals(extract_units(after).units, removals(module, after))
    pop_release = after.text.split("\n").index("    lock.release()") + 1
    said = [
        RawFinding("warning", "lock.release()", "Release in a finally block.", None, 0.9, pop_release),
        RawFinding("critical", "lock.release()", "The lock is never released.", None, 0.9, pop_release - 14),
    ]
    owned = _owned(said, units, Placer(after))
    append = after.text.split("\n").index("    items.append(item)") + 1
    assert [(raw.line, unit.name) for raw, unit in owned] == [(pop_release, "pop"), (append, "add")]


async def test_a_function_renamed_in_the_save_that_deleted_its_line_is_shown_it(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """One save of a file moved with ``git mv`` in which ``add`` became ``add_item``, took a
    new line and lost its ``lock.release()``: the deleted line went to a unit named ``add``,
    which was no more, and the review of ``add_item`` was shown nothing deleted."""
    fake_deepseek.responder(reviewer([LEAK]), path=CHAT)
    root = repository(tmp_path / "repo", {"m.py": MODULE})
    git(root, "mv", "m.py", "store.py")
    text = MODULE.replace("def add(item):", "def add_item(item):").replace(
        "    lock.release()\n", "").replace("    lock.acquire()\n", "    lock.acquire()\n    print(item)\n")
    (root / "store.py").write_text(text)
    uri = (root / "store.py").as_uri()
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings=SETTINGS, root=str(root)) as client:
        open_doc(client, uri, text)
        await asyncio.sleep(0.5)  # git answers
        save(client, uri)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) >= 1, timeout=10)
        await asyncio.sleep(0.5)
        [add] = [r.json for r in fake_deepseek.requests_to(CHAT) if "### function add_item" in user_prompt(r.json)]
        assert "\n-     lock.release()" in user_prompt(add)
        assert await eventually(lambda: len(diagnostics(client, uri)) >= 1, timeout=10)
        [diag] = [d for d in diagnostics(client, uri) if d.message.startswith(LEAK.message)]
        assert as_tuple(diag.range) == position_of(text, LEAK.needle)


def test_a_deleted_line_goes_to_the_twin_named_unit_that_held_it() -> None:
    """A property's getter and setter share a name: a line deleted from the setter was shown to
    the getter (the first unit of that name), and the setter reviewed without it."""
    body = "".join(f"        self.v{i} = {i}\n" for i in range(60))
    before = (
        "class C:\n    @property\n    def value(self):\n" + body + "        return self._value\n\n"
        "    @value.setter\n    def value(self, new):\n" + body
        + "        self._check(new)\n        self._value = new\n"
    )
    after = python_doc(before.replace("        self._check(new)\n", ""))
    units = with_removals(extract_units(after).units, removals(before, after))
    held = [(u.first_line, u.removed) for u in units if u.name == "C.value"]
    assert len(held) == 2
    assert held[0][1] == () and held[1][1] == ("        self._check(new)",), held


async def test_a_line_deleted_where_another_was_written_is_shown_deleted(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """``lock.release()`` deleted and a ``print(item)`` written on its line: difflib pairs the
    two as one line replaced, and a replaced line was not shown (the model reads what it is
    now), so the release was gone from the review as if never there. A line edited (similar
    text) is still not shown."""
    fake_deepseek.responder(reviewer([LEAK]), path=CHAT)
    root = repository(tmp_path / "repo", {"m.py": MODULE})
    uri = (root / "m.py").as_uri()
    text = MODULE.replace("    lock.release()\n", "    print(item)\n").replace(
        "return len(items)", "return len(items) + 1")
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings=SETTINGS) as client:
        open_doc(client, uri, MODULE)
        await asyncio.sleep(0.5)  # git answers
        (root / "m.py").write_text(text)
        change(client, 2, at(0, 0, len(MODULE.split("\n")), 0), text, uri=uri)
        save(client, uri)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) >= 1, timeout=10)
        await asyncio.sleep(0.5)
        prompts = [user_prompt(r.json) for r in fake_deepseek.requests_to(CHAT)]
        [add] = [p for p in prompts if "### function add" in p]
        assert "\n-     lock.release()" in add
        # (the units' blocks of one request, each to the next one's heading)
        [count] = [p.split("### function count", 1)[1].split("###", 1)[0] for p in prompts if "### function count" in p]
        assert "return len(items) + 1" in count and "Deleted from it" not in count
        assert await eventually(lambda: len(diagnostics(client, uri)) >= 1, timeout=10)


async def test_a_file_renamed_again_outside_git_is_measured_from_its_committed_text(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """``git mv m.py store.py``, then renamed again in the editor's file explorer (or ``mv``),
    which stages nothing; and another file renamed by the explorer alone. Neither name is in
    git's last commit nor a staged rename: both were all new, their deleted lines shown none,
    where ``git status`` after ``git add -A`` pairs each with the file it was."""
    fake_deepseek.responder(reviewer([LEAK]), path=CHAT)
    root = repository(tmp_path / "repo", {"m.py": MODULE, "pool.py": MODULE.replace("items", "members")})
    git(root, "mv", "m.py", "store.py")
    os.rename(root / "store.py", root / "shop.py")
    os.rename(root / "pool.py", root / "members.py")
    module = MODULE.replace("    lock.release()\n", "")
    pool = MODULE.replace("items", "members").replace("    lock.release()\n", "")
    (root / "shop.py").write_text(module)
    (root / "members.py").write_text(pool)
    shop, members = (root / "shop.py").as_uri(), (root / "members.py").as_uri()
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings=SETTINGS, root=str(root)) as client:
        open_doc(client, shop, module)
        open_doc(client, members, pool)
        await asyncio.sleep(1.0)  # git answers
        for n, uri in enumerate((shop, members), start=1):
            save(client, uri)
            assert await eventually(lambda n=n: len(fake_deepseek.requests_to(CHAT)) >= n, timeout=10)
            await asyncio.sleep(0.5)
        prompts = [user_prompt(r.json) for r in fake_deepseek.requests_to(CHAT)]
        assert [p.count("\n-     lock.release()") for p in prompts] == [1, 1], prompts
    # The index is left as it was: the staged rename alone, the explorer's renames untracked.
    staged = subprocess.run(  # noqa: ASYNC221 (the session is over)
        ["git", "diff", "--cached", "--name-status", "-M"], cwd=root, capture_output=True, text=True
    )
    assert staged.stdout.split() == ["R100", "m.py", "store.py"], staged.stdout


def test_a_deleted_common_line_written_elsewhere_is_still_deleted() -> None:
    """``return None`` (or a ``}``) deleted from one function and written in another new one was
    counted as moved, and the deletion, the early return that kept the code below from running
    on a bad value, was shown to no one. A block moved with such a line in it stays moved."""
    before = (
        "def check(x):\n    if x < 0:\n        log(x)\n        return None\n    return sqrt(x)\n\n\n"
        "def other(y):\n    return y\n"
    )
    after = python_doc(
        before.replace("        return None\n", "")
        + "\n\ndef lookup(key):\n    if key not in table:\n        return None\n    return table[key]\n"
    )
    units = {u.name: u for u in with_removals(extract_units(after).units, removals(before, after))}
    assert units["check"].removed == ("        return None",)
    # A ``break;`` deleted (the case now falls through) and another written in a new loop.
    js_before = "function a(x) {\n  switch (x) {\n    case 1:\n      go(x);\n      break;\n    default:\n      stop(x);\n  }\n}\n"
    js_after = Document(
        "file:///project/m.js",
        js_before.replace("      break;\n", "") + "\nfunction b(xs) {\n  for (const x of xs) {\n    break;\n  }\n}\n",
        language=REGISTRY.get("javascript"),
    )
    units = {u.name: u for u in with_removals(extract_units(js_after).units, removals(js_before, js_after))}
    assert units["a"].removed == ("      break;",)
    # Moved with the code around it, a common line is moved too.
    moved = python_doc(
        "def check(x):\n    return sqrt(x)\n\n\n"
        "def other(y):\n    if y < 0:\n        log(y)\n        return None\n    return y\n"
    )
    shifted = before.replace("log(x)", "log(y)").replace("if x < 0", "if y < 0")
    units = {u.name: u for u in with_removals(extract_units(moved).units, removals(shifted, moved))}
    assert units["check"].removed == (), units["check"].removed
