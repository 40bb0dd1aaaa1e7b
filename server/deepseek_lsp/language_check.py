"""``doctor``'s check of the languages: each grammar loads and each of its queries compiles.

Compiling the queries is most of what ``doctor`` costs (C++'s, Scala's, Swift's, PHP's and
Ruby's a third of a second or more each, ~3 s in all on an idle machine) and py-tree-sitter holds the GIL while it compiles one, so
threads gain nothing: the queries are compiled in worker processes, one per core, while
``doctor`` asks the endpoint. The workers are started fresh (``forkserver``, else ``spawn``), not
forked from a process that already runs threads (the TLS loader, the endpoint check)."""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pickle import PicklingError

from .languages import QUERY_KINDS, Language, LanguageError, LanguageRegistry, LanguageSpec

log = logging.getLogger(__name__)


def cores() -> int:
    """The cores this process may run on (a container's CPU set, not the machine's)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def check_languages(registry: LanguageRegistry, jobs: int = 1) -> tuple[list[str], list[str]]:
    """The languages whose grammar loads and queries all compile, and what is wrong with the
    others; with ``jobs`` above 1, the queries are compiled by that many worker processes (or
    here, where none can be started)."""
    problems, loaded = list(registry.problems), []
    for lang in registry:
        try:
            lang.ts_language  # noqa: B018 - importing the grammar is the check
        except (LanguageError, SyntaxError, ValueError) as exc:
            problems.append(f"{lang.name}: {exc}")
            continue
        loaded.append(lang)
    found = _compiled_elsewhere(loaded, jobs) if jobs > 1 and loaded else None
    if found is None:
        found = [_query_problems(lang) for lang in loaded]
    ok = []
    for lang, failed in zip(loaded, found, strict=True):
        # A query that does not compile is left out where the server runs, not an error there.
        problems += [f"{lang.name}: {kind} query: {why}" for kind, why in failed.items()]
        if not failed:
            ok.append(lang.name)
    return ok, problems


def _query_problems(lang: Language) -> dict[str, str]:
    for kind in QUERY_KINDS:
        lang.query(kind)
    return dict(lang.query_problems)


def _compiled_elsewhere(langs: list[Language], jobs: int) -> list[dict[str, str]] | None:
    """Each language's query problems, compiled by worker processes; None where they cannot be
    started (no ``sem_open`` in some sandboxes, no process left to fork): compiled here then."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload([__name__])  # the grammars' modules once, not per worker
    tasks = [(lang.spec, kind) for lang in langs for kind in QUERY_KINDS]
    try:
        pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context)
        try:
            futures = [pool.submit(_compile, spec, kind) for spec, kind in tasks]
            results = [future.result() for future in futures]
        except BaseException:
            # Ctrl+C: the queries not begun are dropped, where leaving the executor's ``with``
            # compiled every one of them before doctor could exit.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
    except (OSError, NotImplementedError, BrokenProcessPool, PicklingError, ImportError) as exc:
        log.debug("query check in worker processes failed (%s); compiling here", exc)
        return None
    found: dict[str, dict[str, str]] = {lang.name: {} for lang in langs}
    for (spec, kind), why in zip(tasks, results, strict=True):
        if why is not None:
            found[spec.name][kind] = why
    return [found[lang.name] for lang in langs]


#: A worker's languages, kept for the other kinds of queries it is given.
_worker_languages: dict[LanguageSpec, Language] = {}


def _compile(spec: LanguageSpec, kind: str) -> str | None:
    """In a worker: why the ``kind`` query of ``spec``'s language does not compile, or None."""
    lang = _worker_languages.setdefault(spec, Language(spec))
    try:
        lang.query(kind)
    except LanguageError as exc:  # the grammar loaded in doctor's process; here it did not
        return str(exc)
    return lang.query_problems.get(kind)
