"""The latency run: the board's front-end / invoke / total split and sound onset to RESULT."""

from bench_app.core.runs.procedures.latency.procedure import LatencyParams, LatencyProcedure

__all__ = ["LatencyParams", "LatencyProcedure"]
