"""Errors of the run store, each one sentence for the user."""

from __future__ import annotations

from bench_app.core.errors import BenchError


class StoreError(BenchError):
    """The run store cannot be opened, read or written as asked."""


class RunNotFoundError(StoreError, LookupError):
    """No run, or more than one run, matches the identifier given."""
