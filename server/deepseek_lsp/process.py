"""Whether a process is alive: the editor that started the server, watched so that a crashed
editor leaves no server behind."""

from __future__ import annotations

import os

WINDOWS = os.name == "nt"


def process_alive(pid: int) -> bool | None:
    """Whether ``pid`` names a live process this one can see (in this PID namespace); None when
    it cannot be told (another user's, or the system refuses to say)."""
    if WINDOWS:
        # Not os.kill(pid, 0): on Windows signal 0 is CTRL_C_EVENT, sent to the console
        # process group ``pid``: a Ctrl+C to the editor every few seconds, or an OSError.
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return None
    return True


def _windows_process_alive(pid: int) -> bool | None:
    import ctypes  # Windows only

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    query_limited_information, still_active, access_denied = 0x1000, 259, 5
    handle = kernel32.OpenProcess(query_limited_information, False, pid)
    if not handle:
        return None if ctypes.get_last_error() == access_denied else False  # type: ignore[attr-defined]
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return None
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)


def _process_visible(pid: int) -> bool:
    """Whether ``pid`` names a process this one can see: one that cannot be told about is
    watched as before (it may be there, another user's)."""
    return process_alive(pid) is not False
