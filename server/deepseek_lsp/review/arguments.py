"""The ``deepseek-lsp review`` command's arguments and exit statuses, apart from the command:
the server's own argument parser lists them, and importing the command (its file walking, git
diff scoping and reports) made every editor's server start ~10 ms later."""

from __future__ import annotations

import argparse

from .answer import SEVERITIES

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # What a CI step is written against: --help said nothing of it.
    parser.epilog = (
        f"exit status: {EXIT_OK} no finding at or above --fail-on, {EXIT_FINDINGS} some, {EXIT_ERROR} a usage, "
        "configuration or backend error (an incomplete review never passes), 130 interrupted, 143 terminated, "
        "141 the report's reader gone (| head)"
    )
    parser.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="files or folders (default: .); a folder's generated and minified files are skipped, a file named is reviewed",
    )
    parser.add_argument(
        "--changed",
        action="store_true",
        help="review only the code that git diff against --base changed",
    )
    parser.add_argument(
        "--base",
        help="the git revision --changed compares with, from where this branch left it, as a "
        "pull request's diff (default: HEAD; in a pull request's CI job, origin/ and the branch "
        "it targets, from GITHUB_BASE_REF or CI_MERGE_REQUEST_TARGET_BRANCH_NAME)",
    )
    parser.add_argument(
        "--format",
        choices=["text", "json", "sarif", "github"],
        help="report format (github: GitHub Actions annotations on the pull request's lines; "
        "default: text, or what --output's name ends with: .sarif, .json)",
    )
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="write the report to FILE (default, or -: stdout)"
    )
    parser.add_argument(
        "--fail-on",
        choices=[*SEVERITIES, "never"],
        default="critical",
        help="exit 1 when findings at or above this severity exist (default: critical)",
    )
    parser.add_argument(
        "--jobs", "-j", type=int, default=4, help="files reviewed at once (default: 4)"
    )
    parser.add_argument(
        "--settings",
        metavar="FILE",
        help='a JSON file of settings as an editor sends them, over the environment, e.g. '
        '{"backend": "chat", "baseUrl": "http://127.0.0.1:8000/v1", "review": {"model": "qwen"}}',
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="send every unit again (the results still refresh the cache)",
    )
