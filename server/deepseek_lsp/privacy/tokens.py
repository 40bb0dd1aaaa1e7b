"""Patterns for secrets known by their own shape: key blocks, vendors' tokens, credentials in
URLs and headers, .netrc lines, password hashes."""

from __future__ import annotations

import re

from .values import (
    _REFERENCE,
    _SENDGRID,
    _TWILIO,
    _TWILIO_AUTH,
    REDACTED,
    Replacement,
    _base64_private_key,
    _basic_credentials,
    _docker_auth,
    _prose_safe_argument,
    _url_password,
    _url_token,
    no_credential_before,
)
from .vendor_keys import DISCORD_TOKEN, TELEGRAM_TOKEN, VENDOR_KEY_PATTERNS


def _netrc_password(match: re.Match[str]) -> str:
    """A .netrc line's password, not a variable a CI step writes there (``echo "machine
    github.com login $GITHUB_ACTOR password $GITHUB_TOKEN" > ~/.netrc``: it went out as
    ``[REDACTED]``)."""
    return match.group(0) if _REFERENCE.fullmatch(match.group(2)) else match.group(1) + REDACTED

# Each pattern keeps the part that tells the model what the line is (a key name, "Bearer") and
# replaces only the secret itself, so the surrounding code still reads naturally.
_TOKEN_PATTERNS: tuple[tuple[re.Pattern[str], Replacement], ...] = (
    # To its END line, not past the next BEGIN line: from each BEGIN without an END the search
    # ran to the text's end (0.7 s over 54 kB of BEGIN lines); the next one is tried on its own.
    (
        re.compile(
            r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----(?:(?!-----BEGIN [A-Z0-9 ]*PRIVATE KEY).)*?"
            r"-----END \1PRIVATE KEY( BLOCK)?-----",
            re.S,
        ),
        "-----BEGIN PRIVATE KEY-----" + REDACTED + "-----END PRIVATE KEY-----",
    ),
    # A block cut short (a prompt window or a snippet ending inside it), to the end of the text:
    # only where key material follows its BEGIN line (after line breaks, ``\n`` escapes, quotes,
    # a snippet's comment marks). A BEGIN line alone is code looking for one (a PEM loader's
    # ``text.startswith("-----BEGIN OPENSSH PRIVATE KEY-----")``): all after it, the code up to
    # the cursor included, was replaced, and the model went on from an END line.
    (
        re.compile(
            r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----"
            r"(?=(?:\s|\\[nr]|[\"'+,#/;*-])*(?:Proc-Type:|[A-Za-z0-9+/=]{16})).*\Z",
            re.S,
        ),
        "-----BEGIN PRIVATE KEY-----" + REDACTED + "-----END PRIVATE KEY-----",
    ),
    # The tail of a key block whose BEGIN line is not in the text: a prompt window that starts
    # inside the block (its base64 lines, then the END line).
    (
        re.compile(
            r"(?m)^[ \t\"']*(?:[A-Za-z0-9+/=]{16,}[ \t\"']*\r?\n)+[ \t\"']*-----END ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----"
        ),
        REDACTED + "-----END PRIVATE KEY-----",
    ),
    # A PEM private key in base64 ("-----BEGIN" is "LS0tLS1CRUdJTi"): a Kubernetes TLS
    # secret's ``tls.key``, a kubeconfig's ``client-key-data``, a key kept in an environment
    # variable. Certificates, encoded alike, stay.
    (re.compile(r"\bLS0tLS1CRUdJTi[A-Za-z0-9+/]{20,}={0,2}"), _base64_private_key),
    # An AWS secret access key after its key ID, in a call's or a list's next literal
    # (``Minio(host, "AKIA...", "...")``, ``("AKIA...", "...")``): 40 characters no name goes with.
    (
        re.compile(r"""((?:AKIA|ASIA)[A-Z0-9]{16}["'][ \t]*,\s*["'])[A-Za-z0-9/+]{40}(?=["'])"""),
        r"\1" + REDACTED,
    ),
    (re.compile(r"\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"), REDACTED),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"), REDACTED),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"), REDACTED),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{40,}\b"), REDACTED),
    (re.compile(r"\bxox[abcdeprs]-[A-Za-z0-9-]{10,}\b"), REDACTED),  # Slack (c, d: a client's, a cookie's)
    (re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}\b"), REDACTED),
    (re.compile(r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}\b"), REDACTED),  # Stripe secret, restricted
    (re.compile(r"\bwhsec_[A-Za-z0-9+/=]{24,}"), REDACTED),  # Stripe webhook signing secret
    # GitLab: personal, deploy (``docker login -p gldt-...``), runner (and routable), trigger,
    # OAuth app secret, CI job, feed, incoming mail, agent, SCIM, feature flags client; a
    # runner's registration token (``GR1348941`` first). Each went out bare.
    (re.compile(r"\bgl(?:pat|dt|rtr?|ptt|oas|cbt|ft|imt|agent|soat|ffct)-[A-Za-z0-9_-]{20,}"), REDACTED),
    (re.compile(r"\bGR1348941[A-Za-z0-9_-]{20,}"), REDACTED),
    (re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"), REDACTED),
    (re.compile(r"\bhf_[A-Za-z0-9]{34,}\b"), REDACTED),  # Hugging Face
    *VENDOR_KEY_PATTERNS,  # Groq, xAI, Replicate, Perplexity, NVIDIA and others, by their prefix
    DISCORD_TOKEN,
    TELEGRAM_TOKEN,
    (re.compile(r"\bhv[sbr]\.[A-Za-z0-9_-]{24,}"), REDACTED),  # HashiCorp Vault (service, batch, recovery)
    (re.compile(r"\bxapp-[A-Za-z0-9-]{10,}\b"), REDACTED),  # Slack app-level
    # SendGrid: run over the whole text when it holds a case-sensitive "SG." (see redact): as
    # a lower-cased trigger, "sg." is in every ``msg.`` of ordinary code.
    (_SENDGRID, REDACTED),
    (_TWILIO, REDACTED),
    (_TWILIO_AUTH, r"\1" + REDACTED),
    # age's secret keys (Bech32, upper case); Tailscale's auth and API keys.
    (re.compile(r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b"), REDACTED),
    (re.compile(r"tskey-(?<=\btskey-)[A-Za-z0-9-]{20,}"), REDACTED),
    # minisign's and signify's secret keys: the line after their ``untrusted comment: ... secret
    # key`` line, or the base64 itself, by its algorithms' bytes (``EdScB2``, ``Ed\0\0B2``, ``EdBK``).
    (
        re.compile(r"(?m)^(untrusted comment:(?=[^\r\n]*secret key)[^\r\n]*\r?\n)[A-Za-z0-9+/]{40,}={0,2}"),
        r"\1" + REDACTED,
    ),
    (re.compile(r"RW(?<=\bRW)(?:RTY0Iy|QAAEIy|RCSw)[A-Za-z0-9+/]{100,}={0,2}"), REDACTED),
    # WireGuard's ``PresharedKey = ...`` (its ``PrivateKey`` is a private key's assignment): a
    # key of 32 bytes in base64.
    (re.compile(r"(?m)^([ \t]*PresharedKey[ \t]*=[ \t]*)[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]="), r"\1" + REDACTED),
    (re.compile(r"\bpypi-AgE[A-Za-z0-9_-]{50,}"), REDACTED),  # PyPI upload tokens (a macaroon)
    # The literal first in these, the word boundary after it (see _SENDGRID): ~0.2 ms a
    # keystroke each, as ``\b`` first, over the suspect lines of a large window.
    # Google OAuth: a client secret, an access token, a refresh token.
    (re.compile(r"GOCSPX-(?<=\bGOCSPX-)[A-Za-z0-9_-]{24,}"), REDACTED),
    # (A Compute Engine metadata server's and a service account's token have a dot more,
    # ``ya29.c.c0AS…``: its part after ``ya29.`` short of 20 characters, it went out.)
    (re.compile(r"ya29\.(?<=\bya29\.)(?:[A-Za-z0-9_-]{1,8}\.){0,2}[A-Za-z0-9_-]{20,}"), REDACTED),
    (re.compile(r"1//0(?<![\w/]1//0)[A-Za-z0-9_-]{30,}"), REDACTED),
    (re.compile(r"key-(?<=\bkey-)[0-9a-f]{32}\b"), REDACTED),  # Mailgun
    (re.compile(r"shp(?<=\bshp)(?:at|ca|pa|ss)_[0-9a-fA-F]{32}\b"), REDACTED),  # Shopify
    (re.compile(r"ATATT3(?<=\bATATT3)[A-Za-z0-9_=-]{50,}"), REDACTED),  # Atlassian API token
    (re.compile(r"dapi(?<=\bdapi)[0-9a-f]{32}(?:-\d+)?\b"), REDACTED),  # Databricks
    (re.compile(r"do(?<=\bdo)[opr]_v1_[0-9a-f]{64}\b"), REDACTED),  # DigitalOcean
    # Incoming webhooks: the URL is the credential (anyone holding it posts to the channel).
    # The host stays, so the code still reads as a webhook call.
    (
        re.compile(r"(hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9_/-]{20,}"),
        r"\1" + REDACTED,
    ),
    (re.compile(r"(discord(?:app)?\.com/api/webhooks/\d+/)[A-Za-z0-9_-]{40,}"), r"\1" + REDACTED),
    # Docker's config.json (and a registry secret's ``.dockerconfigjson``): ``"auth"`` is
    # ``user:password`` in base64, only what decodes to that (a field named auth may hold a mode).
    (re.compile(r"(?i)(\"auth\"\s*:\s*\")([A-Za-z0-9+/]{8,}={0,2})(?=\")"), _docker_auth),
    # An Azure shared access signature (``?sv=...&sig=...``, a SAS URL or token): its ``sig``
    # grants what the token says, for as long as it says (often years).
    (re.compile(r"(?i)([?&;]sig=)[A-Za-z0-9%+/]{20,}(?:={0,2}|(?:%3D){0,2})"), r"\1" + REDACTED),
    # Connection strings (Azure storage, Service Bus): the key part only.
    (re.compile(r"(?i)\b((?:Account|SharedAccess)Key\s*=\s*)[A-Za-z0-9+/=]{20,}"), r"\1" + REDACTED),
    # .npmrc's base64 ``_auth`` (``_authToken`` is caught as a TOKEN assignment), quoted or
    # not (npm reads ``_auth="..."`` as the value in the quotes; that form went out), first on
    # its line, after a registry's ``//host/:``, or echoed into the file (``echo "_auth=..." >>
    # .npmrc``, a CI step's). The literal first, what is before it by a lookbehind: ``^\s*``
    # ran from each line start over all the blank lines below (1,700 of them under a URL in the
    # prompt window cost 90 ms a keystroke), and a ``\S+`` before it from each character of a line.
    (
        re.compile(
            r"""(?m)(_auth(?<![^\s'":]_auth)[ \t]*=[ \t]*(["']?))[A-Za-z0-9+/]{8,}={0,2}(?=\2(?:[ \t]*\r?$|["'`]))"""
        ),
        r"\1" + REDACTED,
    ),
    # A JWT starts a run of base64url, not after its ``-``: from each ``eyJ`` in a run of
    # ``eyJ-eyJ-...`` the first part ran to the run's end (3 s over 108 kB).
    (re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b"), REDACTED),
    # Not a challenge's parameter (``WWW-Authenticate: Bearer authorization_uri="https://..."``):
    # its name and ``=`` went out as ``[REDACTED]``.
    (re.compile(r"(?i)\b(bearer)\s+(?![\w-]+=[\"'])[A-Za-z0-9._~+/=-]{16,}"), r"\1 " + REDACTED),
    # "token <value>": a value with a digit and no dot, not code (``var token oauth2.TokenSource``).
    # Not a listing's (``--next-token X``: see no_credential_before).
    (
        re.compile(r"(?i)\b(token)\s+(?=[A-Za-z0-9_~+/=-]*\d)[A-Za-z0-9_~+/=-]{16,}"),
        lambda m: m.group(0) if no_credential_before(m.string, m.start()) else m.group(1) + " " + REDACTED,
    ),
    # The user name may be empty: ``redis://:password@host`` (Redis has no users by default).
    # The password runs to the last ``@`` before the host: one written unescaped
    # (``admin:p@ssw0rd@cluster``, which drivers split at the last ``@``) went out whole.
    # A placeholder (``:${DB_PASSWORD}@``, an f-string's ``:{password}@``, ``:$PGPASSWORD@``) is
    # code, not a password: it went out as ``[REDACTED]``, the variable's name with it.
    (
        re.compile(r"(?i)(://[^:/@\s]*:)(?!(?:\$?\{[^{}\s]*\}|(?-i:\$[A-Z_][A-Z0-9_]*))@)([^/?#\s\"'`]{3,})(@)"),
        _url_password,
    ),
    # A token as a URL's user, no password after it: pip's ``--index-url https://TOKEN@host/simple``
    # (Gemfury's, an Azure DevOps PAT; pip.conf, a requirements file), ``git clone https://TOKEN@``.
    # It went out whole. Only a generated token's shape: a user's name (``git@``, ``john.doe@``,
    # ``VssSessionToken@``, ``build-bot-01@``) stays.
    (re.compile(r"(://)([A-Za-z0-9_-]{16,})(@)(?=[A-Za-z0-9\[])"), _url_token),
    # HTTP Basic credentials: ``user:password`` in base64, which anyone decodes. Only what
    # decodes to that (``Basic authentication`` is a word, not base64 of a user and password).
    (re.compile(r"(?i)\b(basic)\s+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])"), _basic_credentials),
    # .netrc lines, written by a Dockerfile or a CI script (the file itself is excluded), in
    # one line or with ``\n`` escapes: ``machine host login user password secret``.
    (
        re.compile(
            r"(?i)\b((?:machine(?:[ \t]|\\n)+\S+?|default)(?:[ \t]|\\n)+login(?:[ \t]|\\n)+\S+?"
            r"(?:[ \t]|\\n)+password(?:[ \t]|\\n)+)([^\s\"'`\\]+)"
        ),
        _netrc_password,
    ),
    # .netrc's entries one token a line (``machine host``, ``login user``, ``password secret``),
    # the password line alone in sight: a value with a digit or a symbol (``password hashing``
    # is a line of prose). Not an assignment's ``=`` with its value on the line below
    # (``password =`` then the value): taken for the password, the value below went out.
    (
        re.compile(
            r"(?m)^([ \t]*(?:login[ \t]+\S+[ \t]+)?password[ \t]+)"
            r"(?P<bare>(?![-<{(\[\\]|[:=]+[ \t]*\r?$)[^\s\"'`\\]+)(?=[ \t]*\r?$)"
        ),
        _prose_safe_argument,
    ),
    # A password hash after its user's name (an htpasswd or shadow line, Traefik's basic auth
    # users with Compose's ``$$``): crypt's ``$apr1$``, bcrypt's ``$2y$``, SHA-crypt's ``$6$``,
    # yescrypt's ``$y$``, ``{SHA}``. Cracked offline, unsalted ``{SHA}`` in seconds: the file
    # is excluded by default, and the line written elsewhere went out.
    (
        re.compile(
            r"""((?<![^\s=,"'`])[\w.@-]+:)(?:\$\$?(?:apr1|2[aby]|[156y])\$\$?[./A-Za-z0-9$=]{8,}|\{SHA\}[A-Za-z0-9+/]{27}=)"""
        ),
        r"\1" + REDACTED,
    ),
    # WordPress's keys and salts (``define('AUTH_KEY', '...')``): 64 random characters, spaces
    # and symbols, that sign its login cookies. Not the sample's ``put your unique phrase here``.
    (
        re.compile(
            r"""(define\(\s*(["'])(?:(?:SECURE_)?AUTH|LOGGED_IN|NONCE)_(?:KEY|SALT)\2\s*,\s*(["']))"""
            r"""(?!put\ your\ unique\ phrase\ here)[^"'\r\n]{16,}(?=\3)"""
        ),
        r"\1" + REDACTED,
    ),
)
