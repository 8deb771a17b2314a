"""Benchmarks: run by hand or with make targets; they print figures, they are not tests."""
