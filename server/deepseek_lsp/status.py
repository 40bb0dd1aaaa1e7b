"""What the editor shows about the server: one status, sent only when it changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

STATUS_NOTIFICATION = "deepseek/status"
Kind = Literal["Normal", "Warning", "Error", "Inactive"]


@dataclass(frozen=True)
class Status:
    kind: Kind = "Normal"
    message: str = ""
    feature: str = ""
    uri: str = ""

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message, "feature": self.feature, "uri": self.uri}


class StatusReporter:
    """Dedupes statuses so an error seen on every keystroke reaches the user once."""

    def __init__(self, send: Callable[[Status], None], show_message: Callable[[str, int], None]):
        self._send = send
        self._show = show_message
        self.current = Status()
        #: What was told under each key: a message already shown under another is not shown
        #: again (a rejected key met by completions, then by a review, read twice in eglot).
        self._told: dict[str, str] = {}
        self.sent = 0

    def set(self, status: Status) -> None:
        if status == self.current:
            return
        self.current = status
        self.sent += 1
        self._send(status)

    def tell_once(self, key: str, message: str, level: int = 2, cause: str | None = None) -> bool:
        """``window/showMessage`` once per key (until :meth:`forget`), and once for a message
        (or ``cause``, where features word one cause apart) that another key's still stands
        for: one cause, one pop-up; level 1 error … 4 log."""
        if key in self._told:
            return False
        told = cause or message
        already = told in self._told.values()
        self._told[key] = told
        if already:
            return False
        self._show(message, level)
        return True

    def keep_told(self, prefix: str, keys: set[str]) -> None:
        """Forget the keys under ``prefix`` that are not in ``keys``: a problem that is gone is
        told again should it come back (a typo fixed, then made again)."""
        self._told = {k: m for k, m in self._told.items() if not k.startswith(prefix) or k in keys}

    def forget(self, prefix: str = "", *, ended: bool = False) -> None:
        """Forget what was told under ``prefix`` (all, without one). ``ended``: the cause is
        over (the backend answered), and another feature's record of the same words goes too:
        kept, it hid the cause's return (a balance run out again) from both features."""
        if not prefix:
            self._told = {}
            return
        gone = {m for k, m in self._told.items() if k.startswith(prefix)} if ended else set()
        self._told = {
            k: m for k, m in self._told.items() if not k.startswith(prefix) and m not in gone
        }
