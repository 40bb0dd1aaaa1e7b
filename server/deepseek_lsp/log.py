"""Logging to the client (``window/logMessage``) and optionally a file, with secrets scrubbed.

Every record passes through :class:`SecretFilter` before any handler formats it, so the API key
and ``Authorization`` headers never reach a log, whatever a library chooses to print.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable

_AUTH_HEADER = re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(bearer\s+)?[^\s'\",}]+")
_BEARER = re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}")
_SK_KEY = re.compile(r"\bsk-[A-Za-z0-9]{16,}\b")

LEVELS = {"error": logging.ERROR, "warning": logging.WARNING, "info": logging.INFO, "debug": logging.DEBUG}


class SecretFilter(logging.Filter):
    """Replaces known secrets, and anything shaped like a secret the prompts' redaction knows, in
    every record."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add_secret(self, secret: str) -> None:
        if secret and len(secret) >= 4:
            self._secrets.add(secret)

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "****")
        text = _AUTH_HEADER.sub(r"\1****", text)
        text = _BEARER.sub("Bearer ****", text)
        # Then every other shape the prompts' redaction knows (a token a server echoed, a
        # password in an exception's text): these few only caught the keys of this server.
        # Imported at the first record: its patterns took ~0.3 s to compile in every command,
        # ``deepseek-lsp usage`` too, which logs nothing.
        from .privacy.messages import redact_message

        return redact_message(_SK_KEY.sub("sk-****", text))

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = self.scrub(message)
        if scrubbed != message or record.args:
            record.msg, record.args = scrubbed, None
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks are formatted later from exc_info; scrub them now into the message.
            formatted = logging.Formatter().formatException(record.exc_info)
            record.msg = f"{record.msg}\n{self.scrub(formatted)}"
            record.exc_info = None
            record.exc_text = None
        return True


SECRETS = SecretFilter()


class ClientLogHandler(logging.Handler):
    """Forwards records to the editor through a callback (``window/logMessage``)."""

    def __init__(self, send: Callable[[int, str], None]) -> None:
        super().__init__(logging.INFO)
        self._send = send
        self._busy = False

    def emit(self, record: logging.LogRecord) -> None:
        if self._busy:  # sending may itself log; never recurse
            return
        self._busy = True
        try:
            self._send(record.levelno, self.format(record))
        except Exception:
            pass
        finally:
            self._busy = False


#: The level the command line asked for (``--log-level``); the ``logLevel`` setting may lower it.
_base_level = logging.INFO


def setup(log_file: str | None = None, level: str = "info") -> logging.Logger:
    global _base_level
    root = logging.getLogger("deepseek_lsp")
    _base_level = LEVELS.get(level, logging.INFO)
    root.setLevel(_base_level)
    root.propagate = False
    for h in list(root.handlers):
        root.removeHandler(h)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    # stdout carries the protocol in stdio mode: logs go to stderr or a file only.
    handler: logging.Handler = logging.StreamHandler()
    if log_file:
        # Editors start the server without a shell: "~" is the user's, not a folder named "~".
        path = os.path.expanduser(log_file)
        try:
            handler = logging.FileHandler(path, encoding="utf-8")
        except OSError as exc:
            # A log file that cannot be opened must not keep the server from starting (it
            # exited with a traceback, and the editor got no completions at all).
            print(f"deepseek-lsp: cannot write the log file {path}: {exc.strerror or exc}; "
                  "logging to stderr", file=sys.stderr)
    handler.setFormatter(fmt)
    handler.addFilter(SECRETS)
    root.addHandler(handler)
    # pygls logs every message at INFO, including document text: keep it quiet, and give its
    # warnings our format instead of Python's bare last-resort output.
    for noisy in ("pygls", "httpx", "httpcore", "hpack"):
        logger = logging.getLogger(noisy)
        logger.setLevel(logging.WARNING)
        logger.addFilter(SECRETS)
        logger.propagate = False
        for h in list(logger.handlers):
            logger.removeHandler(h)
        logger.addHandler(handler)
    return root


def attach_client(send: Callable[[int, str], None], level: str = "info") -> ClientLogHandler:
    root = logging.getLogger("deepseek_lsp")
    # The editor now shows our log; stderr keeps only problems, so nothing appears twice (VS Code
    # files every stderr line as an error). A log file keeps everything.
    for h in root.handlers:
        if type(h) is logging.StreamHandler:
            h.setLevel(logging.WARNING)
    handler = ClientLogHandler(send)
    handler.setLevel(LEVELS.get(level, logging.INFO))
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    handler.addFilter(SECRETS)
    root.addHandler(handler)
    return handler


def set_level(level: str, client: logging.Handler | None) -> None:
    """The ``logLevel`` setting: what the editor is sent, and so what is logged at all (never
    less than the command line asked for, for the log file)."""
    wanted = LEVELS.get(level, logging.INFO)
    if client is not None:
        client.setLevel(wanted)
    logging.getLogger("deepseek_lsp").setLevel(min(_base_level, wanted))
