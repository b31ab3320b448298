"""A corpus run as CSV: one row per clip with its four answers and each answer's class scores.

Columns: ``index, utterance, speaker, session, label, board, twin_clean, twin_board_pcm,
setting``, then ``<answer>_score_<class>`` for each answer (board, twin_clean, twin_board_pcm)
and class, then ``clip_id, path, duration_s, windows, padded_s``. A missing answer or score is
an empty cell. scikit-learn on the label and answer columns gives the run's own F1 values
(the CLI's tests check that), so anyone can re-score a run from the file alone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bench_app.core.report.corpus_run import SCORE_ARRAYS, CorpusRun

LEADING = ("index", "utterance", "speaker", "session", "label", "board", "twin_clean",
           "twin_board_pcm", "setting")
TRAILING = ("clip_id", "path", "duration_s", "windows", "padded_s")


def score_columns(class_names: Sequence[str]) -> list[str]:
    """``<answer>_score_<class>`` for every answer and class, answers in `SCORE_ARRAYS` order."""
    return [f"{answer}_score_{name}" for answer in SCORE_ARRAYS for name in class_names]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def corpus_rows(run: CorpusRun) -> tuple[list[str], list[list[str]]]:
    """The header and one row of text cells per clip."""
    names = run.class_names
    header = [*LEADING, *score_columns(names), *TRAILING]
    rows = []
    for record, scores in zip(run.records, run.scores, strict=True):
        row = [_cell(record.get(k)) for k in LEADING]
        for answer in SCORE_ARRAYS:
            values = scores.get(answer)
            ok = values is not None and len(values) == len(names)
            row += [repr(float(values[i])) if ok else "" for i in range(len(names))]
        row += [_cell(record.get(k)) for k in TRAILING]
        rows.append(row)
    return header, rows


def corpus_csv_text(run: CorpusRun) -> str:
    """The whole CSV (RFC 4180 quoting, ``\\n`` line ends)."""
    header, rows = corpus_rows(run)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
