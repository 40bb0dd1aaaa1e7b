"""Placeholder; replaced by the review command line."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*")


def run_review(args: argparse.Namespace) -> int:
    print("review is not available yet")
    return 2
