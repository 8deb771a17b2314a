"""Fetching a message's media as WhatsApp does before it delivers, and what a failed fetch costs.

Any host is fetched, 127.0.0.1 included, so a test's own server can hand out the PDF.
"""

from __future__ import annotations

import urllib.error
import urllib.request

from sandboxes.twilio.messages import MediaFetch

MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's limit for a media message
# What WhatsApp takes as a document, an image or a video (twilio.md §Media).
SUPPORTED_TYPES = frozenset(
    {"application/pdf", "image/jpeg", "image/png", "video/mp4", "audio/mpeg", "audio/ogg", "text/plain"}
)
MEDIA_FAILED = 63019  # unreachable, an error status or nothing to download
MEDIA_REJECTED = 63021  # a type or size WhatsApp does not take (or not what the template was approved for)


def fetch(url: str, timeout: float) -> MediaFetch:
    request = urllib.request.Request(url, headers={"User-Agent": "TwilioMediaFetcher/1.0"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            content = response.read(MAX_BYTES + 1)
            content_type = response.headers.get_content_type()
            return MediaFetch(url, int(response.status), content_type, len(content))
    except urllib.error.HTTPError as error:
        error.close()
        return MediaFetch(url, error.code, error.headers.get_content_type(), 0, f"HTTP {error.code}")
    except (OSError, ValueError) as error:
        return MediaFetch(url, None, "", 0, f"{type(error).__name__}: {error}")


def failure(fetched: MediaFetch, expected_type: str | None) -> int | None:
    """The error code this fetch fails its message with, None when the media is fine."""
    if fetched.status is None or not 200 <= fetched.status < 300 or fetched.size == 0:
        return MEDIA_FAILED
    if fetched.size > MAX_BYTES or fetched.content_type not in SUPPORTED_TYPES:
        return MEDIA_REJECTED
    if expected_type is not None and fetched.content_type != expected_type:
        return MEDIA_REJECTED
    return None
