"""Offline simulators of the external providers (Ponto, Yuki), for tests, benchmarks and `make run`.

Never imported by production code, and left out of the production image. Each simulator imports
only the standard library, third-party packages and `sandboxes.kit`: nothing of the service.
"""
