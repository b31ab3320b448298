"""Send a stimulus to the board as INJECT_PCM, bypassing its microphone: a `Player`.

The board runs the injected clip through its front end as if its microphone had heard it, so
the digital path must be bit-exact; its ACK says at which board sample the clip began
(`InjectPlayer.onset_sample`). The player needs only an object with the board client's
``inject(samples, tag=...)`` (returning a report with ``first_sample_index``).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from bench_app.core.audio.player import ThreadedPlayer


class InjectPlayer(ThreadedPlayer):
    """Sends the stimulus as INJECT_PCM (one tagged clip), bypassing the microphone."""

    name = "INJECT_PCM over the link"

    def __init__(self, client: Any, samples: np.ndarray, tag: int,
                 sample_rate: int | None = None) -> None:
        super().__init__()
        self._client = client
        self._samples = samples
        self.tag = tag
        self.span_samples = len(samples)
        self._duration_s = len(samples) / sample_rate if sample_rate else 0.0
        self.report = None
        self.onset_time: float | None = None
        self._start()

    def _work(self) -> None:
        self.onset_time = time.perf_counter()
        self.report = self._client.inject(self._samples, tag=self.tag)

    @property
    def onset_sample(self) -> int | None:
        """The board sample index of the clip's first sample (from the board's ACK)."""
        return None if self.report is None else self.report.first_sample_index

    def stop(self) -> None:
        """Nothing to stop: the board drops an unfinished clip when the host goes quiet."""
        return None
