"""What never leaves the machine: excluded files, and secret-looking strings inside sent text.

:mod:`.paths` decides which files are excluded; :func:`redact` replaces secrets in the text
that is sent (:mod:`.triggers` finds the lines worth looking at, the pattern modules
:mod:`.tokens`, :mod:`.commands` and :mod:`.configs` what is a secret there). The system's
flags (``paths.WINDOWS``, ``paths.CASE_INSENSITIVE_FS``) are read from :mod:`.paths` itself,
so that a test setting them there is seen by every reader.
"""

from . import paths
from .lists import open_line_list_head, open_list_head
from .manifests import secret_manifest_head
from .messages import redact_message
from .paths import file_path, is_excluded, uri_to_path
from .redaction import redact, split_at_secret
from .sections import open_section_head
from .triggers import has_trigger
from .values import REDACTED

__all__ = [
    "REDACTED",
    "file_path",
    "has_trigger",
    "is_excluded",
    "open_line_list_head",
    "open_list_head",
    "open_section_head",
    "paths",
    "redact",
    "redact_message",
    "secret_manifest_head",
    "split_at_secret",
    "uri_to_path",
]
