"""Every pattern, in the order :func:`~.redaction.redact` tries them."""

from __future__ import annotations

from .commands import _COMMAND_PATTERNS
from .configs import _CONFIG_PATTERNS
from .lists import LEADING_LIST_PATTERNS, LIST_PATTERNS
from .markdown import MARKDOWN_PATTERNS
from .named_keys import NAMED_KEY_PATTERNS
from .passphrases import PASSPHRASE_PATTERNS
from .signing_keys import SIGNING_KEY_PATTERNS
from .tokens import _TOKEN_PATTERNS
from .tool_credentials import TOOL_CREDENTIAL_PATTERNS

#: Every pattern, in the order tried (the first :data:`_KEY_BLOCK_PATTERNS` are key blocks).
_PATTERNS = (
    *_TOKEN_PATTERNS,
    *LEADING_LIST_PATTERNS,
    *_COMMAND_PATTERNS,
    *_CONFIG_PATTERNS,
    *PASSPHRASE_PATTERNS,
    *TOOL_CREDENTIAL_PATTERNS,
    *MARKDOWN_PATTERNS,
    *SIGNING_KEY_PATTERNS,
    *NAMED_KEY_PATTERNS,
    *LIST_PATTERNS,
)
