"""The sandbox's in-memory, thread-safe state: the stored assets, the downloads made, faults, the clock.

`CloudinarySandbox` is both what tests drive from Python and what `sandbox.wsgi_app` serves.
Signatures, stale timestamps and download expiry are judged on `sandbox.clock`, so
`sandbox.clock.advance(3601)` makes a fresh download link (and a fresh signed upload) too old.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from random import Random

from sandboxes.cloudinary.accounts import API_KEY, API_SECRET, CLOUD_NAME
from sandboxes.cloudinary.app import CloudinaryApp
from sandboxes.cloudinary.assets import Asset, Download
from sandboxes.cloudinary.faults import FaultBook
from sandboxes.cloudinary.signing import ALGORITHMS
from sandboxes.kit.clock import MovableClock


class CloudinarySandbox:
    """An offline Cloudinary product environment, `CLOUD_NAME`, reached with `API_KEY`/`API_SECRET`.

    `signature_algorithm` is the environment's: `sha1` (Cloudinary's default) or `sha256`.
    """

    def __init__(
        self, now: Callable[[], datetime] | None = None, *, signature_algorithm: str = "sha1", seed: int = 2026
    ) -> None:
        if signature_algorithm not in ALGORITHMS:
            raise ValueError(f"signature_algorithm must be one of {', '.join(ALGORITHMS)}")
        self.clock = MovableClock(now)
        self.cloud_name, self.api_key, self.api_secret = CLOUD_NAME, API_KEY, API_SECRET
        self.signature_algorithm = signature_algorithm
        self.faults = FaultBook()
        self.downloads: list[Download] = []
        self._assets: dict[tuple[str, str, str], Asset] = {}
        self._random = Random(seed)  # noqa: S311 - ids, not secrets
        self._lock = threading.RLock()
        self.wsgi_app = CloudinaryApp(self)

    @property
    def assets(self) -> list[Asset]:
        with self._lock:
            return list(self._assets.values())

    def asset(self, resource_type: str, delivery_type: str, public_id: str) -> Asset | None:
        with self._lock:
            return self._assets.get((resource_type, delivery_type, public_id))

    def new_id(self, length: int = 32) -> str:
        with self._lock:
            return f"{self._random.getrandbits(length * 4):0{length}x}"

    def next_version(self, key: tuple[str, str, str]) -> int:
        """The version a new upload under `key` gets: the clock's seconds, above any earlier version."""
        with self._lock:
            previous = self._assets.get(key)
            version = int(self.clock.now().timestamp())
            return max(version, previous.version + 1) if previous is not None else version

    def store(self, asset: Asset) -> Asset:
        """Keep `asset`, replacing what had its public id (an overwrite)."""
        with self._lock:
            self._assets[asset.key] = asset
            return asset

    def destroy(self, resource_type: str, delivery_type: str, public_id: str) -> bool:
        with self._lock:
            return self._assets.pop((resource_type, delivery_type, public_id), None) is not None

    def record(self, download: Download) -> None:
        with self._lock:
            self.downloads.append(download)
