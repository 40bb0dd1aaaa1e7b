"""The ``deepseek-lsp`` command: serve LSP (stdio or TCP), ``doctor``, ``usage`` and ``review``."""

from __future__ import annotations

import argparse
import logging
import math
import os
import signal
import sys
from collections.abc import Sequence

from . import __version__, code_cache, heap, tls


def _serve(args: argparse.Namespace) -> int:
    from . import log as logsetup
    from .server import create_server

    logsetup.setup(args.log_file, args.log_level or "info")
    if not args.tcp and _is_terminal(sys.stdin):
        signal.signal(signal.SIGINT, _leave_terminal)  # before the hint that offers it
        print(TERMINAL_HINT, file=sys.stderr)
    server = create_server()
    heap.imported(freeze=True)
    server.collector.freeze_when_started = True
    # Collections wait for the answer to go out; a young one every 20,000 allocations instead
    # of 700 (tests/bench/bench_overhead.py: p99 14 -> 10 ms, and its slowest request was a
    # full collection in the middle of it).
    server.collector.install()
    if args.tcp:
        server.start_tcp(args.host, args.port)
    else:
        server.start_io()
    return server.exit_code


#: Said when a person, not an editor, starts the server: ``deepseek-lsp`` as the quick start
#: shows it waited in silence for LSP messages.
TERMINAL_HINT = (
    "deepseek-lsp: this is a language server: your editor starts it and speaks LSP with it over "
    "stdin and stdout. From a terminal, try `deepseek-lsp doctor` or `deepseek-lsp review PATH` "
    "(`deepseek-lsp --help` for the rest). Ctrl+C or Ctrl+D ends it."
)


def _leave_terminal(signum: int, frame: object) -> None:
    """Ctrl+C on a server started by hand. Its thread reading the terminal cannot be woken:
    the way out through KeyboardInterrupt waited for it, in pygls' shutdown, until Ctrl+D. No
    editor was there to have anything to save."""
    os._exit(130)


def _is_terminal(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):  # no stdin at all (a service), or a closed one
        return False


def _port(text: str) -> int:
    """A TCP port number: one out of range is a usage error here, not a traceback of bind()."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is out of range (0-65535)")
    return port


def _seconds(text: str) -> float:
    """A time limit in seconds, more than 0: httpx takes 0 for "fail at once" (doctor then said
    a healthy server could not be reached), and a negative, nan or inf one raised."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (0 < seconds < math.inf):
        raise argparse.ArgumentTypeError(f"{text} is no time limit: give a number of seconds above 0")
    return seconds


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deepseek-lsp",
        description="DeepSeek-powered inline completions and code review over LSP.",
    )
    parser.add_argument("--version", action="version", version=f"deepseek-lsp {__version__}")
    parser.add_argument("--stdio", action="store_true", help="serve over stdio (the default)")
    parser.add_argument("--tcp", action="store_true", help="serve over TCP instead of stdio")
    parser.add_argument("--host", default="127.0.0.1", help="TCP host (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=2087, help="TCP port (default 2087)")
    _add_log_options(parser, None, None)
    sub = parser.add_subparsers(dest="command")

    doctor = sub.add_parser("doctor", help="check configuration, languages and the endpoint")
    doctor.add_argument("--timeout", type=_seconds, default=10.0, help="seconds to wait for each server (default 10)")
    doctor.add_argument("--settings", metavar="FILE", help="a JSON file of settings, as for review")

    usage = sub.add_parser("usage", help="print token use and cost (today, this month)")
    usage.add_argument("--json", action="store_true", help="machine-readable output")

    review = sub.add_parser("review", help="review files or folders from the terminal or CI")
    from .review.arguments import add_arguments

    add_arguments(review)
    # Also after the command, where a CI step's `review src/ --log-level debug` puts them: they
    # were taken only before it, and after it were "unrecognized arguments" under the server's
    # usage. Unset there, the values before the command (or their defaults) stay.
    for command in (doctor, usage, review):
        _add_log_options(command, argparse.SUPPRESS, argparse.SUPPRESS)
    return parser


def _add_log_options(parser: argparse.ArgumentParser, level: str | None, log_file: str | None) -> None:
    parser.add_argument("--log-file", default=log_file, help="also write logs to this file")
    parser.add_argument(
        "--log-level",
        default=level,
        choices=["error", "warning", "info", "debug"],
        help="what is logged (default: info; for review, warning)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:
        # Before the parser, which imports the review engine and lsprotocol: 2.3 s on a loaded
        # machine, and Neovim's :checkhealth, which runs it and waits (5 s at most), froze
        # that long or warned the server "did not answer".
        print(f"deepseek-lsp {__version__}")
        return 0
    heap.importing()
    heap.fix_mmap_threshold()  # before the cache file is read: see there
    # Before build_parser, which imports lsprotocol: its classes' methods come from the cache.
    code_cache.install()
    tls.prepare()  # loaded on a thread while the imports run
    try:
        return _run(argv)
    finally:
        heap.imported(freeze=False)  # a usage error, a command: CPython's thresholds again
        code_cache.save()


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _serve(args)
    # The modules are imported: what a command compiles from here on is made of its input.
    code_cache.started()
    heap.imported(freeze=False)
    try:
        code = _command(args)
        if sys.stdout is not None:
            # Here rather than at exit, where a reader gone was "Exception ignored" and status 120.
            sys.stdout.flush()
    except BrokenPipeError:
        return _reader_gone()
    return code


#: The status of a command whose reader went away (``| head``): what a shell shows for a
#: program SIGPIPE ended, neither a verdict on the code (1) nor an error of the tool (2).
EXIT_READER_GONE = 128 + 13


def _reader_gone() -> int:
    """stdout's reader closed the pipe (``deepseek-lsp usage --json | head``): end quietly, as
    Unix tools do, where a traceback (doctor, usage) or "unexpected error" (review) was shown."""
    try:
        # The interpreter flushes stdout again at exit: into nothing, not into the closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass
    return EXIT_READER_GONE


def _command(args: argparse.Namespace) -> int:
    from . import log as logsetup

    if sys.stderr is None:
        # Closed (``2>&-``, a supervisor's job): print(file=None) writes to stdout, and each
        # message went into the JSON or SARIF report there, which no parser could read.
        sys.stderr = open(os.devnull, "w", encoding="utf-8")
    # Warnings only unless asked: info lines around a report are noise in a CI log. doctor and
    # usage set none up: --log-file and --log-level, before or after them, did nothing.
    logsetup.setup(args.log_file, args.log_level or "warning")
    if args.command == "doctor":
        from .doctor import run_doctor

        return run_doctor(timeout=args.timeout, settings_file=args.settings)
    if args.command == "usage":
        from .usage_report import print_usage

        return print_usage(as_json=args.json)
    if args.command == "review":
        from .review.cli import EXIT_ERROR, run_review
        from .review.terminated import EXIT_TERMINATED, Terminated

        try:
            return run_review(args)
        except BrokenPipeError:
            raise  # the reader's going, not the review's failing: see _reader_gone
        except KeyboardInterrupt:
            # Ctrl+C: one line and the shell's 130, not two chained tracebacks. What was
            # reviewed is in the cache already: the next run does not pay for it again.
            print("deepseek-lsp review: interrupted", file=sys.stderr)
            return 130
        except Terminated:
            print("deepseek-lsp review: terminated", file=sys.stderr)
            return EXIT_TERMINATED
        except Exception as exc:
            # Exit 1 means "findings found" to CI: a crash must not read as a verdict on the code.
            logging.getLogger(__name__).debug("review failed", exc_info=True)
            print(f"deepseek-lsp review: unexpected error: {exc.__class__.__name__}: {exc}", file=sys.stderr)
            return EXIT_ERROR
    raise AssertionError(f"unknown command {args.command!r}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
