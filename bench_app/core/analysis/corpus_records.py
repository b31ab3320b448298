"""What a corpus run records per clip, shared by its producer and its consumers.

A corpus run (``bench_app.core.runs.procedures.corpus``) plays each labelled clip to a board and
runs the host twin (the same INT8 model under TFLM on the reference front end). It emits one
``clips`` event per clip whose ``data`` is a `ClipRecord`, and, after each clip, one ``metrics``
event (``STREAM_METRICS``) whose ``data`` is what `bench_app.core.analysis.corpus_metrics`
computes from all records so far. The store, the report, the CSV export and the window's
Corpus view read these records; none of them imports the procedure.

Each ``clips`` event may carry arrays: ``board_scores``, ``twin_clean_scores`` and
``twin_board_pcm_scores`` (float32, one per class, the decided clip-level scores) and
``board_pcm`` (int16, the board's microphone PCM of the clip, when the run keeps it).

Answers are class *names* (from the model card's ``class_names``), or ``None`` when that
answer is missing (e.g. a board with no model sends no RESULT, or the clip was skipped).
"""

from __future__ import annotations

from typing import TypedDict

#: Stream of one event per clip (data: `ClipRecord`; arrays: ``board_scores`` etc. (n_classes,)).
STREAM_CLIPS = "clips"

#: The three per-clip answers besides the label, in the order the error split uses them.
ANSWER_KEYS: tuple[str, ...] = ("twin_clean", "twin_board_pcm", "board")


class ClipRecord(TypedDict):
    """One clip of a corpus run: who said it, its label, and the four answers.

    - ``label``: the corpus label (true class).
    - ``twin_clean``: the host twin on the clean clip (label vs this = model error).
    - ``twin_board_pcm``: the host twin on the board's own microphone PCM (twin_clean vs this =
      acoustic path).
    - ``board``: the board's RESULTs over the clip's windows, decided by the run's rule
      (twin_board_pcm vs this = firmware / runtime; must agree exactly with matching code).
    - ``windows``: how many model windows the clip gave; ``padded_s``: silence added to reach
      one window (0 when the clip was long enough).
    - ``setting``: the virtual channel setting of a sweep (e.g. ``"noise_dbfs=-50"``), ``""``
      outside a sweep; a sweep is one run whose clips and metrics events name their setting.
    """

    index: int
    clip_id: str
    path: str
    utterance: str
    speaker: str
    session: str
    label: str
    twin_clean: str | None
    twin_board_pcm: str | None
    board: str | None
    windows: int
    padded_s: float
    duration_s: float
    setting: str
