"""The TLS context of the model clients: one per ``verify`` setting, shared by every client.

Building one loads the whole CA bundle (~20-30 ms). httpx built a new one for every client, and
the server builds a client at start and again whenever the endpoint's settings change (the
initializationOptions' key, then the pulled settings): two or three loads before the first
completion. The default context is also built on a thread from the process's first moments
(:func:`prepare`): OpenSSL reads the bundle without holding the GIL, so the load overlaps the
imports instead of adding to the start.
"""

from __future__ import annotations

import os
import ssl
import threading
from concurrent.futures import Future

_lock = threading.Lock()
_contexts: dict[bool | str, Future[ssl.SSLContext]] = {}


def _default_context() -> ssl.SSLContext:
    """What httpx makes of ``verify=True`` with ``trust_env``: the bundle ``SSL_CERT_FILE`` or
    ``SSL_CERT_DIR`` names (a company's own CA), else certifi's."""
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _build(verify: bool | str) -> ssl.SSLContext:
    try:
        if verify is True:
            return _default_context()
        import httpx

        return httpx.create_ssl_context(verify=verify)
    except (OSError, ssl.SSLError) as exc:
        from .model.errors import ConfigError  # not at the top: this module loads first of all

        # Raised out of the client's construction, it ended the server at its start, the
        # editor told only that it exited.
        raise ConfigError(f"the CA certificates for HTTPS could not be loaded ({_source(verify)}: "
                          f"{exc.strerror or exc}): fix or unset it") from None


def _source(verify: bool | str) -> str:
    if verify is not True:
        return f"the CA bundle {verify}"
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        if os.environ.get(name):
            return f"{name}={os.environ[name]}"
    return "certifi's bundle"


def _future(verify: bool | str) -> tuple[Future[ssl.SSLContext], bool]:
    """The context's future, and whether the caller is to build it."""
    with _lock:
        future = _contexts.get(verify)
        if future is not None:
            return future, False
        future = _contexts[verify] = Future()
        return future, True


def _fill(future: Future[ssl.SSLContext], verify: bool | str) -> None:
    try:
        future.set_result(_build(verify))
    except BaseException as exc:
        with _lock:
            _contexts.pop(verify, None)  # asked again, it is tried again (a bundle put right)
        future.set_exception(exc)


def prepare() -> None:
    """Start building the default context on a thread: the first client takes it from there."""
    future, mine = _future(True)
    if mine:
        threading.Thread(target=_fill, args=(future, True), name="tls-context", daemon=True).start()


def context(verify: bool | str) -> ssl.SSLContext:
    """The shared context for ``verify``; raises what building it raised (a missing bundle)."""
    future, mine = _future(verify)
    if mine:
        _fill(future, verify)
    return future.result()
