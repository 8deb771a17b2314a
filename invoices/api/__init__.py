"""The billing core's resources in the public API (routed by api.urls)."""
