"""What a report is made from: one `ReportInput` bundle per stored run.

The report layer never talks to a board or re-runs an analysis: it shows what the run stored
(config, board INFO, lint, summary, verdict, arrays) and says plainly what is missing, so an
interrupted run still gives a readable report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench_app.core.model import untrained

#: Arrays a complete run of each procedure stores; the report lists the ones it did not find.
EXPECTED_ARRAYS: dict[str, tuple[str, ...]] = {
    "alignment": (
        "reference_frames",
        "board_frames",
        "parity_per_channel",
        "parity_over_time",
        "acoustic_response_db",
        "board_pcm",
        "stimulus",
    ),
    "latency": (
        "latency_frontend_us",
        "latency_invoke_us",
        "latency_total_us",
        "latency_host_ms",
    ),
}

#: Other names the same array is stored under (stream keys, the analysis's artifact names),
#: tried in order after the report's own name.
ARRAY_ALIASES: dict[str, tuple[str, ...]] = {
    "reference_frames": ("parity_host", "host_frames"),
    "board_frames": ("parity_board", "frames"),
    "board_pcm": ("pcm",),
    "parity_error_map": ("parity_rel_error",),
}

#: Arrays that older or interrupted runs may hold only as lists in the summary: array name ->
#: the summary key (at any depth) holding the same numbers.
SUMMARY_FALLBACKS: dict[str, str] = {
    "parity_per_channel": "per_channel",
    "parity_over_time": "per_frame",
    "acoustic_response_db": "response_db",
}


@dataclass
class ReportInput:
    """Everything one report shows about one run.

    Parameters
    ----------
    run
        The run record: ``uid``, ``procedure`` ("alignment", "latency", ...), ``status``,
        ``started``, ``ended``, ``bench_version``, ``parameters`` (dict).
    board_info
        The board's INFO answer: firmware, model hash and name, whether the model is untrained,
        and its front-end config (``fe.*`` keys, directly or under ``"frontend"``; else the
        summary's ``board_frontend``); under ``"model"`` the model facts the run stored
        (`bench_app.core.model.run_facts`), which the report reads instead of ``models/``.
    host_frontend
        The host reference front-end config (``fe.*`` keys).
    lint
        Config mismatches between host and board, each a dict with ``key``, ``host``,
        ``board``, ``severity`` and ``message``.
    summary
        The analysis result (its ``to_dict()``).
    verdict
        ``{"pass": bool | None, "reasons": [str, ...]}``; ``None`` when the run has none.
    arrays
        Named arrays stored with the run (frames, per-channel errors, latency series, ...).
    notes
        Problems met while loading the run (unreadable artifact, ...), shown in the report.
    corpus
        A corpus run's clips and figures (`bench_app.core.report.corpus_run.CorpusRun`), or
        None for any other run.
    """

    run: dict[str, Any]
    board_info: dict[str, Any] = field(default_factory=dict)
    host_frontend: dict[str, Any] = field(default_factory=dict)
    lint: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    verdict: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    corpus: Any = None

    @property
    def uid(self) -> str:
        """The run's id, as text."""
        return str(self.run.get("uid", "unknown"))

    @property
    def procedure(self) -> str:
        """The run's procedure name ("alignment", "latency", ...)."""
        return str(self.run.get("procedure", "unknown"))

    def array(self, name: str) -> np.ndarray | None:
        """The stored array ``name``, else the same numbers from the summary, else None."""
        for stored in (name, *ARRAY_ALIASES.get(name, ())):
            if stored in self.arrays:
                return np.asarray(self.arrays[stored])
        leaf = SUMMARY_FALLBACKS.get(name)
        if leaf is not None:
            from bench_app.core.report.metrics import find_lists

            for _, values in find_lists(self.summary, leaf):
                if values and all(v is None or isinstance(v, int | float) for v in values):
                    return np.asarray(values, dtype=float)
        return None

    def missing_arrays(self) -> list[str]:
        """Names of the arrays a complete run of this procedure has and this one lacks."""
        expected = EXPECTED_ARRAYS.get(self.procedure, ())
        return [name for name in expected if self.array(name) is None]

    def model(self) -> dict[str, Any]:
        """The model facts the run stored with its board INFO (empty for older runs)."""
        return stored_model(self.board_info)

    def model_untrained(self) -> bool:
        """Whether the run's board ran an untrained model (its summary or stored facts say so)."""
        return bool(self.summary.get("model_untrained") or stored_untrained(self.board_info))

    def board_frontend(self) -> dict[str, Any]:
        """The board's front-end config (``fe.*`` keys) from its INFO answer."""
        nested = self.board_info.get("frontend")
        if isinstance(nested, Mapping):
            return dict(nested)
        direct = {k: v for k, v in self.board_info.items() if str(k).startswith("fe.")}
        stored = self.summary.get("board_frontend")  # what the analysis linted against
        return direct or (dict(stored) if isinstance(stored, Mapping) else {})

    def passed(self) -> bool | None:
        """True / False when the run has a verdict, None when it has none."""
        value = self.verdict.get("pass", self.summary.get("pass"))
        return None if value is None else bool(value)

    def reasons(self) -> list[str]:
        """The verdict's reasons (from the verdict, else from the summary)."""
        reasons = self.verdict.get("reasons") or self.summary.get("reasons") or []
        if isinstance(reasons, str):
            return [reasons]
        return [str(r) for r in reasons]

    def window_step_s(self) -> float:
        """Frame hop in seconds (host config, else board config, else the paper's 10 ms).

        The hop of a config that states its rate is the `FrameGeometry` hop (whole samples);
        one that states only ``fe.window_step_ms`` is taken at its word.
        """
        from bench_app.core.frontend.geometry import FrameGeometry

        for config in (self.host_frontend, self.board_frontend()):
            geometry = FrameGeometry.from_settings(config)
            if geometry is not None:
                return geometry.step_s
            step = config.get("fe.window_step_ms")
            if isinstance(step, int | float) and step > 0:
                return float(step) / 1000.0
        return 0.010

    def pcan_enabled(self) -> bool:
        """Whether PCAN is on in the host or the board front end."""
        from bench_app.core.report.metrics import flatten

        configs = (self.host_frontend, self.board_frontend())
        in_summary = any(k.rsplit(".", 1)[-1] == "pcan_enable" and _truthy(v)
                         for k, v in flatten(self.summary))
        return in_summary or any(_truthy(c.get("fe.pcan_enable")) for c in configs)


def stored_model(info: Mapping[str, Any]) -> dict[str, Any]:
    """The model facts stored under the board INFO's ``"model"`` (`core.model.run_facts`)."""
    model = info.get("model") if isinstance(info, Mapping) else None
    return dict(model) if isinstance(model, Mapping) else {}


def stored_untrained(info: Mapping[str, Any]) -> bool:
    """Whether a stored run's model was untrained, by the one rule of `bench_app.core.model`.

    A run that stored its model facts is judged on what it stored alone (the report reads only
    the store); a run stored before runs kept those facts has only the board's INFO, so its
    model's hash is looked up in the cards of ``models/`` as it always was.
    """
    if stored_model(info):
        return bool(untrained(info, folder=None))
    return bool(untrained(info))


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)
