"""The simulated Cloudinary product environment's credentials (fixed, so `.env` and tests agree)."""

from __future__ import annotations

CLOUD_NAME = "smart-invoice-sandbox"
API_KEY = "614335564976464"
API_SECRET = "sandbox-cloudinary-api-secret"  # noqa: S105 - the sandbox's, published on purpose
