"""Offline simulators of the external providers, for the tests, the benchmarks and `make run`.

`ponto/` and `yuki/` (whose books mirror the Ponto sandbox's business) stand on one `kit/`:
the HTTP layer, routing, injected faults, the threaded server and the movable clock. The
service never imports them, and they import nothing of the service; the production image
leaves this package out, and settings install its app (the `sandbox` command) only where it exists.
"""
