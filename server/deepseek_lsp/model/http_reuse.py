"""What httpx would do again at every completion request, done once or only when needed.

Together ~70 us of CPU a request on the test host (load ~10), out of the ~6 ms of the
server's own work per completion: the endpoint's URL parsed from its text (~30 us), and the
response's cookies read through ``http.cookiejar`` (~40 us) when it sets none.
"""

from __future__ import annotations

from functools import lru_cache

import httpx


@lru_cache(maxsize=32)
def parsed_url(url: str) -> httpx.URL:
    """``url`` parsed once: httpx's ``build_request`` parses a text URL at every call, an
    ``httpx.URL`` (immutable) it takes as it is."""
    return httpx.URL(url)


class _SetCookiesOnly(httpx.Cookies):
    """Cookies read from a response only when it sets some: httpx builds a ``urllib`` request
    and response for ``http.cookiejar`` at every response, which reads nothing from one without
    ``Set-Cookie`` (``Set-Cookie2`` is ignored by its default policy)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


def read_cookies_when_set(client: httpx.AsyncClient) -> None:
    """Have ``client`` read a response's cookies only when it sets some (the jar, and any
    cookie it holds, kept). Left as httpx has it if its cookies are not where httpx 0.28 keeps
    them."""
    held = getattr(client, "_cookies", None)
    if type(held) is httpx.Cookies:
        client._cookies = _SetCookiesOnly(held.jar)
