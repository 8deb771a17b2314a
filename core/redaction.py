"""Secrets that travel in a URL's path, replaced before the path reaches a log line or an error
report: the gunicorn access log, our request log lines and Sentry all use `redact_path_secrets`.

The invitation link `/invitations/<token>/` carries its token in the path: whoever reads it can
join the organisation as the invited address. The members pages' `/members/invitations/<id>/…`
carry an invitation's id, not a secret, and stay as they are.

Plain Python without Django: the gunicorn master imports it before any Django is loaded.
"""

from __future__ import annotations

import re

REDACTED_SEGMENT = "[token]"

# The segment after `invitations/` (at the start of a path or after a `/`, a quote or a space),
# up to the next `/`, query, fragment or the end of a quoted URL.
_INVITATION_TOKEN = re.compile(r"(?<!members/)(?<![\w.~%-])(invitations/)[^/?#\s'\"<>]+", re.IGNORECASE)


def redact_path_secrets(text: str) -> str:
    """`text` (a path, a URL, or a line quoting one) with the tokens in its paths replaced."""
    return _INVITATION_TOKEN.sub(rf"\g<1>{REDACTED_SEGMENT}", text)
