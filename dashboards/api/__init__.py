"""The dashboards app's resources in the public API (routed by api.urls)."""
