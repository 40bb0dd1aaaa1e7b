"""A key written as a literal into the call that signs or encrypts with it: a JWT's
(``jwt.encode(payload, "…")``, ``jwt.sign(claims, "…", {…})``, Ruby's ``JWT.encode payload, '…'``),
an HMAC's (``hmac.new(b"…", msg, …)``, Node's ``crypto.createHmac("sha256", "…")``, Go's
``hmac.New(sha256.New, []byte("…"))``), a cipher's (``Fernet(b"…")``, ``AES.new(b"…", …)``) and
a cookie signer's (``cookieParser("…")``). No name says secret there, and each went out.

Only a literal shaped as a key is taken (as a list's item is judged, :func:`.lists._secret_item`):
a test's ``jwt.encode(payload, "secret")`` or a variable stays."""

from __future__ import annotations

import re

from .lists import _secret_item
from .values import REDACTED

#: A literal's opening: a prefix (``b"``, ``r'``), Go's ``[]byte(``, its quote (group ``quote``).
_LITERAL = r"""(?:\[\]byte\(|(?:[rbu]{1,2})?)(?P<quote>["'`])"""
#: One argument before the key (a payload, a digest's name or constructor), without a call or a comma.
_ARGUMENT = r"""[^,()\r\n]{1,80}?,[ \t]*"""
_SIGNING_CALL = re.compile(
    r"""(?P<head>(?:"""
    # A JWT library's, the key its second argument (PyJWT's ``key=`` too, Ruby's without brackets).
    r"""\b(?i:jwt)\.(?:encode|decode|sign|verify)[ \t]*\(?[ \t]*"""
    + _ARGUMENT
    + r"""(?:key[ \t]*=[ \t]*)?"""
    # An HMAC's: Python's key first, Node's and Go's second.
    + r"""|\bhmac\.new\([ \t]*|\b(?:createHmac|hmac\.New)\([ \t]*"""
    + _ARGUMENT
    # A cipher's or a cookie signer's key, first.
    + r"""|\b(?:Fernet|AES\.new|cookieParser)\([ \t]*)"""
    + _LITERAL
    + r""")(?P<key>[^"'`\\\r\n]{8,})(?P=quote)"""
)


def _signing_key(match: re.Match[str]) -> str:
    if not _secret_item("secret", "", match.group("key")):
        return match.group(0)
    return match.group("head") + REDACTED + match.group("quote")


#: The patterns, in the order tried.
SIGNING_KEY_PATTERNS = ((_SIGNING_CALL, _signing_key),)
