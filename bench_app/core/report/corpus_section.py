"""The report's corpus section: what a corpus run scored, and where its errors come from.

Shown in place of the generic metric tables for a ``corpus`` run: the F1s, WA / UA with the
bootstrap interval, the F1 drop from twin to board split into acoustic path and firmware,
McNemar's test, confusion matrices side by side, per-class bars, per speaker / session, the
flipped clips, the sweep and the skipped clips. Every number is one the run stored (its stop
summary, or for an unfinished run its last metrics event); the report computes none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bench_app.core.report import corpus_figures as figs
from bench_app.core.report.blocks import Block, Heading, Paragraph, Table
from bench_app.core.report.corpus_run import CorpusRun

#: Flipped clips listed in full; the rest are counted (the CSV export has them all).
MAX_FLIPPED_ROWS = 40
ANSWER_COLUMNS = ("board", "twin (clean clip)", "twin (board PCM)")


def _f(value: Any, digits: int = 3) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "-"
    return f"{value:.{digits}f}"


def _signed(value: Any) -> str:
    return "-" if not isinstance(value, int | float) else f"{value:+.3f}"


def headline_table(m: Mapping[str, Any]) -> Table:
    """F1s, WA and UA of each answer, with the board's macro-F1 interval."""
    answers = m.get("answers") or {}
    cols = [answers.get(k) or {} for k, _, _ in figs.ANSWERS]
    rows = [("clips scored", *(str(a.get("n", "-")) for a in cols))]
    for key, label in (("macro_f1", "macro F1"), ("micro_f1", "micro F1"),
                       ("weighted_f1", "weighted F1"), ("wa", "WA (accuracy)"),
                       ("ua", "UA (mean recall)")):
        rows.append((label, *(_f(a.get(key)) for a in cols)))
    ci = m.get("macro_f1_ci95")
    if isinstance(ci, list) and len(ci) == 2:
        rows.append(("macro F1, 95 % bootstrap interval", f"{_f(ci[0])} – {_f(ci[1])}", "-", "-"))
    agreement = m.get("agreement")
    caption = ("WA is the share of clips right; UA the mean of the per-class recalls (the "
               "figures SER papers report).")
    if isinstance(agreement, int | float):
        caption += (f" The board agrees with the twin on its own PCM on {100 * agreement:.1f} % "
                    "of clips (100 % with matching code).")
    return Table("Scores", ("figure", *ANSWER_COLUMNS), tuple(rows), caption=caption)


def drop_blocks(m: Mapping[str, Any]) -> list[Block]:
    """The F1 drop from twin to board and its two parts; the per-clip error split; McNemar."""
    drop, errors, test = m.get("f1_drop") or {}, m.get("errors") or {}, m.get("mcnemar") or {}
    rows = (
        ("twin on clean → board (total)", _signed(drop.get("total")), "-"),
        ("acoustic path: twin on clean → twin on board PCM", _signed(drop.get("acoustic_path")),
         str(errors.get("acoustic_path", "-"))),
        ("firmware / runtime: twin on board PCM → board", _signed(drop.get("firmware")),
         str(errors.get("firmware", "-"))),
        ("model: label → twin on clean", "-", str(errors.get("model", "-"))),
    )
    blocks: list[Block] = [Table(
        "Where the F1 goes", ("step", "macro F1 drop", "clips whose answer changed"), rows,
        caption="The two parts add up to the total drop. A firmware part other than zero means "
                "the board's code differs from the twin's on the same audio.")]
    firmware = errors.get("firmware")
    if isinstance(firmware, int) and firmware > 0:
        blocks.append(Paragraph(
            f"{firmware} clip(s) got another answer from the board than from the twin on the "
            "board's own PCM: the firmware or its runtime does not match the host model.",
            "fail"))
    if test:
        p = test.get("p_value")
        blocks.append(Paragraph(
            f"McNemar's exact test, board vs twin on the clean clip: {test.get('a_only', '-')} "
            f"clip(s) only the board got right, {test.get('b_only', '-')} only the twin; "
            + (f"p = {p:.2g}" if isinstance(p, float) else "p = -")
            + (" (the two differ at the 5 % level)." if isinstance(p, float) and p < 0.05
               else " (no significant difference at the 5 % level).")))
    return blocks


def per_class_table(m: Mapping[str, Any], class_names: Sequence[str]) -> Table | None:
    """Precision, recall, F1 and support per class (board), with the twin's F1 beside it."""
    answers = m.get("answers") or {}
    board = (answers.get("board") or {}).get("per_class") or {}
    twin = (answers.get("twin_clean") or {}).get("per_class") or {}
    if not board:
        return None
    rows = tuple((c, _f(board.get(c, {}).get("precision")), _f(board.get(c, {}).get("recall")),
                  _f(board.get(c, {}).get("f1")), _f(twin.get(c, {}).get("f1")),
                  str(board.get(c, {}).get("support", "-"))) for c in class_names)
    return Table("Per class (board)", ("class", "precision", "recall", "F1", "twin F1",
                                       "support"), rows)


def grouped_table(m: Mapping[str, Any], key: str, title: str) -> Table | None:
    """Board macro F1 and UA per speaker or per session."""
    groups = m.get(key) or {}
    if not groups:
        return None
    rows = tuple((str(name), str(g.get("clips", "-")), str(g.get("scored", "-")),
                  _f(g.get("macro_f1")), _f(g.get("ua"))) for name, g in groups.items())
    return Table(title, (title.split()[-1], "clips", "scored", "board macro F1", "board UA"),
                 rows)


def flipped_table(m: Mapping[str, Any], settings: Mapping[int, str] | None = None,
                  ) -> list[Block]:
    """The clips whose board answer differs from the twin's on the clean clip, and why.

    ``settings`` maps a clip's index to its sweep setting (a column only for a sweep).
    """
    flipped = [f for f in m.get("flipped") or [] if isinstance(f, Mapping)]
    if not flipped:
        return [Paragraph("No clip flipped: the board gave the twin's answer on every clip.",
                          "pass")]
    rows = []
    for f in flipped[:MAX_FLIPPED_ROWS]:
        cause = ("acoustic path" if f.get("twin_clean") != f.get("twin_board_pcm")
                 else "firmware / runtime")
        row = (str(f.get("index", "-")), str(f.get("clip_id", "-")), str(f.get("label")),
               str(f.get("twin_clean")), str(f.get("twin_board_pcm")), str(f.get("board")), cause)
        rows.append(row + ((settings.get(f.get("index"), ""),) if settings else ()))
    more = len(flipped) - len(rows)
    caption = "Cause: where the answer changed first on its way from the twin to the board."
    if more > 0:
        caption += f" {more} more flipped clip(s) are in the CSV export (bench-app runs export)."
    columns = ("#", "clip", "label", "twin clean", "twin board PCM", "board", "cause")
    return [Table(f"Flipped clips ({len(flipped)})",
                  columns + (("setting",) if settings else ()), tuple(rows), caption=caption)]


def sweep_table(rows: Sequence[Mapping[str, Any]]) -> Table | None:
    """One row per sweep setting."""
    if not rows:
        return None
    return Table("Sweep", ("setting", "SNR (dB)", "board macro F1", "twin macro F1",
                           "twin (board PCM) macro F1"),
                 tuple((str(r.get("setting", "")), _f(r.get("snr_db"), 1),
                        _f(r.get("board_macro_f1")), _f(r.get("twin_macro_f1")),
                        _f(r.get("twin_board_pcm_macro_f1"))) for r in rows))


def skipped_table(rows: Sequence[Mapping[str, Any]]) -> Table | None:
    """The clips the run skipped and why."""
    if not rows:
        return None
    return Table(f"Skipped clips ({len(rows)})", ("clip", "reason"),
                 tuple((str(r.get("clip_id") or r.get("path") or r.get("utterance") or "-"),
                        str(r.get("reason", "-"))) for r in rows))


def corpus_blocks(run: CorpusRun) -> list[Block]:
    """The whole corpus section of one run's report."""
    m = run.final_metrics()
    names = run.class_names or list(m.get("class_names") or [])
    blocks: list[Block] = [Heading("Corpus results")]
    params = run.parameters
    blocks.append(Paragraph(
        f"{len(run.records)} clip(s) from {params.get('corpus', 'the corpus')}, path "
        f"{params.get('path', '-')}, clip decision '{params.get('decision', '-')}', classes "
        f"{', '.join(names) or '-'}."))
    if not m:
        return [*blocks, Paragraph("The run stored no figures (no metrics event).", "warn")]
    if m is not run.summary:
        blocks.append(Paragraph(
            "The run did not finish: the figures are those it computed after its last clip "
            f"({m.get('clips', '?')} clips), without the bootstrap interval.", "warn"))
    if m.get("unknown_labels"):
        blocks.append(Paragraph(f"{m['unknown_labels']} clip(s) had a label outside the model's "
                                "classes and were not scored.", "warn"))
    if len(run.settings) > 1:
        blocks.append(Paragraph(
            f"A sweep over {len(run.settings)} channel settings: the figures below pool every "
            "setting's clips; the sweep table at the end scores each setting alone.", "note"))
    blocks += [headline_table(m), *drop_blocks(m)]
    answers = m.get("answers") or {}
    optional = [figs.confusion_figure(answers, names), figs.per_class_figure(answers, names),
                per_class_table(m, names), figs.f1_over_clips_figure(run.metrics),
                grouped_table(m, "by_speaker", "Per speaker"),
                grouped_table(m, "by_session", "Per session")]
    blocks += [b for b in optional if b is not None]
    sweeping = len(run.settings) > 1
    blocks += flipped_table(m, {int(r["index"]): str(r.get("setting", ""))
                                for r in run.records} if sweeping else None)
    sweep = run.sweep()
    blocks += [b for b in (figs.sweep_figure(sweep), sweep_table(sweep),
                           skipped_table(run.skipped())) if b is not None]
    return blocks
