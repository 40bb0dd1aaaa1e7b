"""Files with no tree-sitter grammar (a Dockerfile, SQL, YAML...) are reviewed on save by the
lines changed since the editor opened them: only the chunks around each change are sent, a
save with nothing changed sends nothing, and the findings land on the exact code with a fix.
Lock files and notes stay out, and ``review.otherLanguages`` turns it off."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from deepseek_lsp.cli import main
from deepseek_lsp.documents import Document
from deepseek_lsp.review.changed_hunks import changed_lines, without_grammar
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import eventually, lsp_session, open_doc
from tests.review_support import Rule, numbered_lines, reviewer, user_prompt
from tests.test_review_cli import git, use_fake
from tests.test_review_cli_ci import commit
from tests.test_review_lsp import (
    CHAT,
    NO_RETRIES,
    as_tuple,
    at,
    change,
    diagnostics,
    env,
    position_of,
    review_fails,
    save,
    statuses,
)

PIPE = Rule("curl -fsSL http://get.example.com | sh", "critical", "Piping a download to sh runs unverified code.",
            "curl -fsSL https://get.example.com -o get.sh && sha256sum -c get.sh.sha256 && sh get.sh", 0.9)
ROOT = Rule("USER root", "warning", "The image runs as root.", "USER app", 0.8)


def dockerfile() -> str:
    """Fifteen stages of ten lines, blank lines between: several review chunks."""
    blocks = []
    for i in range(15):
        lines = [f"FROM base{i} AS stage{i}"] + [f"RUN step-{i}-{j} --flag={j}" for j in range(9)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def replace_line(client: LanguageClient, uri: str, version: int, text: str, old: str, new: str) -> tuple[str, int]:
    """Type ``new`` over ``old`` and save: the text now, and the 0-based line edited."""
    line, col, _, end = position_of(text, old)
    change(client, version, at(line, col, line, end), new, uri=uri)
    save(client, uri)
    return text.replace(old, new), line


def test_the_changed_lines_are_the_chunks_whose_code_changed() -> None:
    before = dockerfile()
    lines = before.split("\n")

    def changed(after: str) -> set[int]:
        return changed_lines(before, Document("file:///ws/Dockerfile", after))

    assert changed(before) == set()
    edited = changed(before.replace("RUN step-7-7 --flag=7", "RUN curl x | sh"))
    assert lines.index("RUN step-7-7 --flag=7") in edited and 0 not in edited and len(edited) < 60
    # A deleted line: its chunk, in the new text's lines.
    deleted = changed(before.replace("RUN step-7-7 --flag=7\n", ""))
    assert lines.index("RUN step-7-6 --flag=6") in deleted and len(deleted) < 60
    # Lines added at the top change the first chunk alone: no cut below moves.
    added = changed("# a note\n\n" + before)
    assert 0 in added and max(added) < 60
    # A form feed or U+2028 is no line break in the document's count.
    odd = "a\fb\u2028c\n" + before
    assert changed_lines(odd, Document("file:///ws/Dockerfile", odd.replace("step-7-7", "step-7-x"))) == {
        n + 1 for n in edited
    }
    assert changed_lines("", Document("file:///ws/Dockerfile", "a\nb\n")) == {0, 1}


def test_which_files_without_a_grammar_are_reviewed() -> None:
    def doc(name: str, language_id: str | None = None) -> Document:
        return Document(f"file:///ws/{name}", "x\n", language_id=language_id)

    for name in ("Dockerfile", "Dockerfile.prod", "api.dockerfile", "Makefile", "rules.mk", "schema.sql",
                 "index.html", "site.css", "pyproject.toml", "deploy.yaml", ".gitlab-ci.yml", "main.tf"):
        assert without_grammar(doc(name)), name
    for name in ("pnpm-lock.yaml", "Cargo.lock", "poetry.lock", "README.md", "notes.txt", "package.json", "data.csv"):
        assert not without_grammar(doc(name)), name
    assert without_grammar(doc("migration", "sql"))  # by the editor's language id


async def test_a_dockerfile_save_sends_only_the_changed_chunk_and_shows_its_finding_with_a_fix(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    fake_deepseek.responder(reviewer([PIPE, ROOT]), path=CHAT)
    text = dockerfile()
    uri = (tmp_path / "Dockerfile").as_uri()
    async with lsp_session(env(fake_deepseek, tmp_path), settings={"review": {"mode": "onSave"}}) as client:
        open_doc(client, uri, text, language="dockerfile")
        save(client, uri)  # nothing changed since it was opened: nothing to review
        await asyncio.sleep(0.5)
        assert fake_deepseek.requests_to(CHAT) == []

        # A RUN line of stage 7 replaced.
        text, line = replace_line(client, uri, 2, text, "RUN step-7-7 --flag=7", PIPE.needle)
        assert await eventually(lambda: len(diagnostics(client, uri)) == 1, timeout=10)
        [request] = fake_deepseek.requests_to(CHAT)
        assert "File: Dockerfile" in user_prompt(request.json)
        sent = numbered_lines(request.json)
        assert line + 1 in sent and 1 not in sent and text.count("\n") not in sent
        assert len(sent) < 60, len(sent)  # one chunk, not the file's 164 lines
        [diag] = diagnostics(client, uri)
        assert as_tuple(diag.range) == position_of(text, PIPE.needle)
        assert diag.severity == types.DiagnosticSeverity.Error
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=diag.range,
                context=types.CodeActionContext(diagnostics=[diag]),
            )
        )
        fix = next(a for a in actions or [] if a.title == "Apply DeepSeek fix")
        [doc_edit] = fix.edit.document_changes or []  # type: ignore[union-attr]
        [edit] = doc_edit.edits  # type: ignore[union-attr]
        assert as_tuple(edit.range) == position_of(text, PIPE.needle) and edit.new_text == PIPE.suggestion

        save(client, uri)  # saved again unchanged: the chunk answers from the cache
        await asyncio.sleep(0.5)
        assert len(fake_deepseek.requests_to(CHAT)) == 1

        # An edit in another stage: that chunk alone goes, the first finding stays.
        text, line1 = replace_line(client, uri, 3, text, "RUN step-1-2 --flag=2", ROOT.needle)
        assert await eventually(lambda: len(diagnostics(client, uri)) == 2, timeout=10)
        assert len(fake_deepseek.requests_to(CHAT)) == 2
        second = numbered_lines(fake_deepseek.requests_to(CHAT)[1].json)
        assert line1 + 1 in second and line + 1 not in second
        assert sorted(as_tuple(d.range) for d in diagnostics(client, uri)) == sorted(
            [position_of(text, PIPE.needle), position_of(text, ROOT.needle)]
        )


async def test_a_save_of_plain_text_leaves_another_files_failed_review_told(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """a.py's review failed ("Save again to retry", its status), then notes.txt saved: the
    status keeps the failure (VS Code keeps a file's review status until one of the same file
    ends it), the log alone says why notes.txt is not reviewed."""
    fake_deepseek.responder(reviewer([PIPE]), path=CHAT)
    async with lsp_session(env(fake_deepseek, tmp_path), settings=NO_RETRIES) as client:
        await review_fails(client, fake_deepseek, "file:///ws/a.py")
        failed = client.statuses[-1]  # type: ignore[attr-defined]
        notes = (tmp_path / "notes.txt").as_uri()
        open_doc(client, notes, "milk\n", language="plaintext")
        save(client, notes)
        assert await eventually(lambda: len(not_reviewed(client)) == 1, timeout=10)
        assert statuses(client)[-1] == failed and failed["kind"] == "Warning", statuses(client)[-1]


def not_reviewed(client: LanguageClient) -> list[str]:
    """What the server's log said of saves it does not review (after the logger's name)."""
    return [m.message.partition(": ")[2] for m in client.log_messages if "Not reviewed on save" in m.message]


async def test_lock_files_and_notes_stay_out_and_the_setting_turns_it_off(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    fake_deepseek.responder(reviewer([PIPE]), path=CHAT)
    settings = {"review": {"mode": "onSave", "otherLanguages": False}}
    files = {
        "pnpm-lock.yaml": ("lockfileVersion: '9.0'\n", "yaml", {"review": {"mode": "onSave"}}),
        "README.md": ("# App\n", "markdown", {"review": {"mode": "onSave"}}),
        "Dockerfile": ("FROM base\n", "dockerfile", settings),
    }
    told = {
        "pnpm-lock.yaml": "is a lock file, not code",
        "README.md": "is markdown, not code",
        "Dockerfile": "has no grammar and review.otherLanguages is off",
    }
    for name, (opened, language, options) in files.items():
        uri = (tmp_path / name).as_uri()
        async with lsp_session(env(fake_deepseek, tmp_path), settings=options) as client:
            open_doc(client, uri, opened, language=language)
            change(client, 2, at(1, 0), PIPE.needle + "\n", uri=uri)
            save(client, uri)
            await asyncio.sleep(0.5)
            assert fake_deepseek.requests_to(CHAT) == [], name
            assert not_reviewed(client) == [f"Not reviewed on save: {name} {told[name]}; the Review File command reviews it all the same."]


async def test_a_save_of_notes_a_log_or_a_lock_file_says_once_per_file_why_it_is_not_reviewed_with_no_pop_up(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """A save of a text file (no grammar, no code without one: ``notes.txt``, a ``README`` with no
    extension, ``app.log``) sent nothing and said nothing: a user who saved expecting a review
    saw no word of why, where ``deepseek-lsp review notes.txt`` reviews it, and a folder's run
    says which files it takes. Told once per file in the editor's log, and in the status while
    it is saved; no pop-up (every Markdown or text file saved would bring one)."""
    fake_deepseek.responder(reviewer([PIPE]), path=CHAT)
    files = {
        "notes.txt": ("plaintext", "plain text"),
        "README": ("plaintext", "plain text"),
        "app.log": ("log", "plain text"),
        "guide.md": ("markdown", "markdown"),
        "pnpm-lock.yaml": ("yaml", "a lock file"),
    }
    async with lsp_session(env(fake_deepseek, tmp_path), settings={"review": {"mode": "onSave"}}) as client:
        for name, (language, _) in files.items():
            uri = (tmp_path / name).as_uri()
            open_doc(client, uri, f"{PIPE.needle}\n", language=language)
            save(client, uri)
            save(client, uri)  # saved again: told once

        assert await eventually(lambda: len(not_reviewed(client)) == len(files), timeout=10), not_reviewed(client)
        await asyncio.sleep(0.5)
        assert not_reviewed(client) == [
            f"Not reviewed on save: {name} is {what}, not code; the Review File command reviews it all the same."
            for name, (_, what) in files.items()
        ]
        said = {s["uri"]: s["message"] for s in statuses(client) if s.get("feature") == "review" and s.get("uri")}
        assert said == {(tmp_path / name).as_uri(): message for name, message in zip(files, not_reviewed(client), strict=True)}
        assert [m.message for m in client.messages] == []  # no pop-up
        assert fake_deepseek.requests_to(CHAT) == []
        # The Review File command reviews it, as the command line reviews a file it is named.
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[(tmp_path / "notes.txt").as_uri()])
        )
        assert result["ok"] and len(fake_deepseek.requests_to(CHAT)) == 1


def test_changed_on_the_command_line_reviews_the_changed_lines_of_a_dockerfile_not_a_lock_file(
    tmp_path: Path, fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As a save does: a pull request's Dockerfile change was "--changed found no file to review"."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "Dockerfile").write_text(dockerfile())
    (root / "pnpm-lock.yaml").write_text("lockfileVersion: '9.0'\n")
    git(root, "init", "-q", "-b", "main")
    commit(root, "start")
    monkeypatch.chdir(root)
    use_fake(monkeypatch, fake_deepseek, tmp_path / "state")
    fake_deepseek.responder(reviewer([PIPE]), path=CHAT)
    text = dockerfile().replace("RUN step-7-7 --flag=7", PIPE.needle)
    (root / "Dockerfile").write_text(text)
    (root / "pnpm-lock.yaml").write_text("lockfileVersion: '9.1'\n")
    code = main(["review", "--changed", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1  # a critical finding
    assert [f["path"] for f in out["files"]] == ["Dockerfile"]
    [finding] = out["files"][0]["findings"]
    assert finding["line"] == position_of(text, PIPE.needle)[0] + 1
    [request] = fake_deepseek.requests_to(CHAT)
    assert len(numbered_lines(request.json)) < 60


async def test_changes_are_counted_from_the_last_commit_and_a_new_file_is_all_changes(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Counted from the text the editor opened, a Dockerfile changed in an earlier session, or a
    SQL file written in an untitled buffer and saved as one (opened with all its text), had
    nothing changed and was never reviewed."""
    fake_deepseek.responder(reviewer([PIPE]), path=CHAT)
    root = tmp_path / "proj"
    root.mkdir()
    (root / "Dockerfile").write_text(dockerfile())
    (root / "seed.sql").write_text("DELETE FROM users;\n")  # ignored: as opened
    (root / ".gitignore").write_text("seed.sql\n")
    git(root, "init", "-q", "-b", "main")
    commit(root, "start")
    text = dockerfile().replace("RUN step-7-7 --flag=7", PIPE.needle)
    (root / "Dockerfile").write_text(text)  # changed, not committed, before the editor opened it
    migration = f"CREATE TABLE t (id int);\n{PIPE.needle}\n"
    (root / "0001.sql").write_text(migration)  # new to the repository
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings={"review": {"mode": "onSave"}},
                           root=str(root)) as client:
        for name, opened, language in (("Dockerfile", text, "dockerfile"), ("0001.sql", migration, "sql"),
                                       ("seed.sql", "DELETE FROM users;\n", "sql")):
            uri = (root / name).as_uri()
            open_doc(client, uri, opened, language=language)
            await asyncio.sleep(0.5)  # git answers
            save(client, uri)
        docker, sql = (root / "Dockerfile").as_uri(), (root / "0001.sql").as_uri()
        assert await eventually(lambda: len(diagnostics(client, docker)) == len(diagnostics(client, sql)) == 1, timeout=10)
        await asyncio.sleep(0.5)
        prompts = [user_prompt(r.json) for r in fake_deepseek.requests_to(CHAT)]
        assert len(prompts) == 2 and not any("seed.sql" in p for p in prompts)
        [docker_prompt] = [r.json for r in fake_deepseek.requests_to(CHAT) if "File: Dockerfile" in user_prompt(r.json)]
        assert len(numbered_lines(docker_prompt)) < 60


def pg_dump(rows: int = 3000) -> str:
    """A database dump as pg_dump writes it: its header, the schema, one row a line."""
    head = (
        "--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 15.4\n"
        "-- Dumped by pg_dump version 15.4\n\nSET statement_timeout = 0;\nSET client_encoding = 'UTF8';\n\n"
    )
    tables = "".join(
        f"CREATE TABLE public.t{i} (\n    id integer NOT NULL,\n    email text\n);\n\n"
        f"ALTER TABLE public.t{i} OWNER TO app;\n\n"
        for i in range(20)
    )
    data = "COPY public.t0 (id, email) FROM stdin;\n" + "".join(f"{n}\tuser{n}@example.com\n" for n in range(rows))
    return head + tables + data + "\\.\n\n--\n-- PostgreSQL database dump complete\n--\n"


@pytest.mark.parametrize(
    "header",
    ["pg_dump", "-- MySQL dump 10.13  Distrib 8.0.32, for Linux (x86_64)\n--\n-- Host: localhost    Database: app\n",
     "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n"],
)
async def test_a_database_dump_new_to_the_repository_is_not_sent_on_save(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, header: str
) -> None:
    """A dump (pg_dump's, mysqldump's, SQLite's .dump) is a tool's output of the database's rows,
    customers' e-mails and all: saved new in a repository, all of it was a change, and a save of
    a 3,000-row pg_dump sent its every chunk to the review model (some 700 chunks)."""
    fake_deepseek.responder(reviewer([PIPE]), path=CHAT)
    root = tmp_path / "proj"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    text = pg_dump() if header == "pg_dump" else header + pg_dump()[pg_dump().index("SET statement") :]
    (root / "backup.sql").write_text(text)
    uri = (root / "backup.sql").as_uri()
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings={"review": {"mode": "onSave"}},
                           root=str(root)) as client:
        open_doc(client, uri, text, language="sql")
        await asyncio.sleep(0.5)  # git answers
        save(client, uri)
        assert await eventually(lambda: any("Not reviewed on save: backup.sql" in m.message for m in client.messages),
                                timeout=10), [m.message for m in client.messages]
        await asyncio.sleep(0.5)
        assert fake_deepseek.requests_to(CHAT) == []


@pytest.mark.parametrize("kind", ["utf-16", "filter"])
async def test_a_file_committed_in_another_form_sends_only_its_changed_chunk(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, kind: str
) -> None:
    """The committed text is compared as the editor shows the file: a UTF-16 SQL script (as SQL
    Server Management Studio saves them) read as UTF-8 noise, and a file under a clean/smudge
    filter (git-crypt's, here one that reverses its lines) read as its stored form, differed
    everywhere: a one-line edit sent the whole file (150 of 164 lines)."""
    fake_deepseek.responder(reviewer([PIPE]), path=CHAT)
    root = tmp_path / "proj"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    text = dockerfile().replace("FROM ", "-- FROM ").replace("RUN ", "SELECT ")
    path = root / "q.sql"
    if kind == "utf-16":
        path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    else:
        git(root, "config", "filter.crypt.clean", "rev")
        git(root, "config", "filter.crypt.smudge", "rev")
        (root / ".gitattributes").write_text("q.sql filter=crypt\n")
        path.write_text(text)
    commit(root, "start")
    uri = path.as_uri()
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings={"review": {"mode": "onSave"}},
                           root=str(root)) as client:
        open_doc(client, uri, text, language="sql")
        await asyncio.sleep(0.5)  # git answers
        text, line = replace_line(client, uri, 2, text, "SELECT step-7-7 --flag=7", PIPE.needle)
        assert await eventually(lambda: len(diagnostics(client, uri)) == 1, timeout=10)
        await asyncio.sleep(0.5)
        sent = [n for r in fake_deepseek.requests_to(CHAT) for n in numbered_lines(r.json)]
        assert line + 1 in sent and len(sent) < 60, len(sent)


@pytest.mark.parametrize(("name", "language"), [("config.mak", "make"), ("build.make", "make"), ("rules.mak", "makefile")])
async def test_a_makefile_by_neovim_s_filetype_or_a_mak_name_is_reviewed_on_save(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, name: str, language: str
) -> None:
    """Neovim names a Makefile's filetype ``make`` (VS Code's language id is ``makefile``), and a
    ``.mak`` file is a Makefile to both: their saves in Neovim were never reviewed."""
    fake_deepseek.responder(reviewer([PIPE]), path=CHAT)
    uri = (tmp_path / name).as_uri()
    text = "all: app\n\napp: main.o\n\tcc -o app main.o\n"
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), editor="neovim",
                           settings={"review": {"mode": "onSave"}}) as client:
        open_doc(client, uri, text, language=language)
        change(client, 2, at(4, 0), f"\n{PIPE.needle}\n", uri=uri)
        save(client, uri)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=10)


@pytest.mark.parametrize(("name", "language"), [("0007_add_row_lock.sql", "sql"), ("lock-screen.html", "html"), ("lock.css", "css")])
async def test_a_hand_written_file_with_lock_in_its_name_is_reviewed_on_save(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, name: str, language: str
) -> None:
    """Lock files are named so by their tools (``pnpm-lock.yaml``, ``yarn.lock``, ``.terraform.lock.hcl``),
    in YAML, JSON, HCL or TOML: a migration adding a row lock or a lock screen's page, whose
    name holds "lock" too, was never reviewed, nothing said."""
    fake_deepseek.responder(reviewer([PIPE]), path=CHAT)
    uri = (tmp_path / name).as_uri()
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings={"review": {"mode": "onSave"}}) as client:
        open_doc(client, uri, "x\n", language=language)
        change(client, 2, at(1, 0), PIPE.needle + "\n", uri=uri)
        save(client, uri)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=10)


def test_lock_files_are_known_by_their_tools_names() -> None:
    for name in ("pnpm-lock.yaml", "conda-lock.yml", ".terraform.lock.hcl", "yarn.lock", "uv.lock", "Chart.lock",
                 "conda-linux-64.lock", "Cargo.lock"):
        assert not without_grammar(Document(f"file:///ws/{name}", "x\n", language_id="yaml")), name
    for name in ("0007_add_row_lock.sql", "lock-screen.html", "lock.css", "deadlock.sql", "Dockerfile.lockdown"):
        assert without_grammar(Document(f"file:///ws/{name}", "x\n")), name


async def test_an_ansible_vault_s_ciphertext_is_not_reviewed_on_save(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """A vault file encrypted again in the editor is ciphertext from its first line to its last:
    its save sent it all, a review of hex digits."""
    fake_deepseek.responder(reviewer([PIPE]), path=CHAT)
    uri = (tmp_path / "vault.yml").as_uri()
    cipher = "$ANSIBLE_VAULT;1.1;AES256\n" + "".join(f"{n:080x}\n" for n in range(40))
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings={"review": {"mode": "onSave"}}) as client:
        open_doc(client, uri, "db_password: x\n", language="yaml")
        change(client, 2, at(0, 0, 1, 0), cipher, uri=uri)
        save(client, uri)
        assert await eventually(lambda: any("Not reviewed on save: vault.yml" in m.message for m in client.messages),
                                timeout=10), [m.message for m in client.messages]
        await asyncio.sleep(0.5)
        assert fake_deepseek.requests_to(CHAT) == []


async def test_a_file_saved_as_it_is_opened_is_counted_from_the_commit_while_git_is_slow(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """VS Code's Save As of an untitled buffer opens the file and saves it at once: the save,
    before git had told the committed text, counted from the text opened, found nothing changed
    and the new SQL file was never reviewed (git answering in half a second: 0 requests)."""
    fake_deepseek.responder(reviewer([PIPE]), path=CHAT)
    root = tmp_path / "proj"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("# app\n")
    commit(root, "start")
    slow = tmp_path / "bin"
    slow.mkdir()
    real = shutil.which("git")
    (slow / "git").write_text(f'#!/bin/sh\nsleep 0.5\nexec "{real}" "$@"\n')
    (slow / "git").chmod(0o755)
    migration = f"CREATE TABLE t (id int);\n{PIPE.needle}\n"
    (root / "0001.sql").write_text(migration)
    uri = (root / "0001.sql").as_uri()
    server = {**env(fake_deepseek, tmp_path / "state"), "PATH": f"{slow}{os.pathsep}{os.environ['PATH']}"}
    async with lsp_session(server, settings={"review": {"mode": "onSave"}}, root=str(root)) as client:
        open_doc(client, uri, migration, language="sql")
        save(client, uri)
        assert await eventually(lambda: len(diagnostics(client, uri)) == 1, timeout=15)
        assert len(fake_deepseek.requests_to(CHAT)) == 1


def _last_words(client: LanguageClient, name: str) -> list[str]:
    """The last word of each review progress of the file ``name`` (after its title)."""
    return [
        str(reports[-1].message)
        for reports in client.progress_reports.values()
        if reports and isinstance(reports[0], types.WorkDoneProgressBegin) and reports[0].title == f"DeepSeek review: {name}"
        and isinstance(reports[-1], types.WorkDoneProgressEnd)
    ]


async def test_a_save_of_the_committed_text_ends_its_progress_as_a_grammar_file_s_save_does(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """app.py saved as committed shows its review's progress, ending "0 findings, from the
    cache"; a Dockerfile or a SQL script saved as committed showed nothing at all (no progress,
    no status): a user who saved to get a review could not tell whether one ran. Now it ends
    saying nothing changed since git's last commit, nothing sent; and the Dockerfile's failed
    review's warning, from a save before, is over as a grammar file's clean review ends it."""
    fake_deepseek.responder(reviewer([PIPE]), path=CHAT)
    root = tmp_path / "proj"
    root.mkdir()
    files = {"app.py": ("def f(x):\n    return x + 1\n", "python"), "Dockerfile": (dockerfile(), "dockerfile"),
             "schema.sql": ("CREATE TABLE t (id int);\n", "sql")}
    for name, (text, _) in files.items():
        (root / name).write_text(text)
    git(root, "init", "-q", "-b", "main")
    commit(root, "start")
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings=NO_RETRIES, root=str(root)) as client:
        docker = (root / "Dockerfile").as_uri()
        open_doc(client, docker, files["Dockerfile"][0], language="dockerfile")
        await asyncio.sleep(0.5)  # git answers
        # A changed line whose review fails: "Save again to retry", this file's warning.
        fake_deepseek.fault("status", count=1, path=CHAT, status=500)
        change(client, 2, at(3, 0, 3, 0), "RUN echo hi\n", uri=docker)
        save(client, docker)
        assert await eventually(lambda: len(_last_words(client, "Dockerfile")) == 1, timeout=10)
        assert statuses(client)[-1]["kind"] == "Warning", statuses(client)[-1]
        # Undone back to the committed text and saved.
        change(client, 3, at(3, 0, 4, 0), "", uri=docker)
        save(client, docker)
        for name, (text, language) in files.items():
            if name != "Dockerfile":
                open_doc(client, (root / name).as_uri(), text, language=language)
                await asyncio.sleep(0.5)
                save(client, (root / name).as_uri())
        assert await eventually(lambda: all(_last_words(client, n) for n in files), timeout=10), client.progress_reports
        await asyncio.sleep(0.5)
        # Its first review, paid: DeepSeek's price of the hour (off-peak $0.0003, peak $0.0006).
        [app] = _last_words(client, "app.py")
        assert re.fullmatch(r"0 findings, \$0\.000[36]", app), app
        since = "0 findings, nothing changed since git's last commit"
        assert _last_words(client, "Dockerfile")[1:] == [since]
        assert _last_words(client, "schema.sql") == [since]
        assert statuses(client)[-1]["kind"] == "Normal", statuses(client)[-1]
        assert len(fake_deepseek.requests_to(CHAT)) == 2  # the failed one and app.py's
