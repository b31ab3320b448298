"""What a report says, as blocks: header, verdict, configs and lint, metrics, figures, tables.

The same block list feeds the HTML and the PDF renderer. Text here is plain (never markup):
the renderers escape it.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from bench_app import __version__
from bench_app.core.labels import (
    LATENCY_SERIES,
    SECTION_TITLES,
    STAT_LABELS,
    format_value,
    label_of,
)
from bench_app.core.model import MEMORY_BUDGET_BYTES, untrained_models
from bench_app.core.report.blocks import Block, Heading, Paragraph, Table
from bench_app.core.report.figures import all_figures
from bench_app.core.report.metrics import find_lists, metric_rows, record_tables
from bench_app.core.report.model import ReportInput, stored_model, stored_untrained

#: Board INFO keys shown as the model's hash, tried in order.
MODEL_HASH_KEYS = ("model_sha256", "model_hash", "sha256")
MODEL_NAME_KEYS = ("model_name", "model")
#: Run statuses of a run that ran to its end (the store says "success").
FINISHED_STATUSES = ("success", "completed")
#: A latency run's verdict box: it has no pass/fail, and "NO VERDICT" reads like a failure.
MEASURES_ONLY = ("No pass/fail: a latency run measures the board's timing, it does not judge "
                 "it (the figures and the budget used are below).")

SCORES_ONLY = ("No pass/fail: a corpus run scores the model on the board against the labels and "
               "the host twin (the figures are below).")


def pcan_explanation() -> str | None:
    """The analysis package's paragraph on PCAN and the clean-stimulus error, if it has one.

    The analysis owns this text (``bench_app.core.analysis.verdict.PCAN_NOTE``); the report
    only shows it, once, whether or not the run's summary notes repeat it.
    """
    import importlib

    for module, name in (("bench_app.core.analysis.verdict", "PCAN_NOTE"),
                         ("bench_app.core.analysis", "PCAN_EXPLANATION")):
        try:
            text = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if text:
            return str(text)
    return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return format_value(value)


def _model_line(info: dict[str, Any]) -> tuple[str, str]:
    """The model's name and hash (flagged when untrained) from the run's stored board INFO.

    A run stores the model facts it saw (``info["model"]``, `bench_app.core.model.run_facts`)
    and the line is made from them alone. Runs stored before that have only the board's INFO
    (and, from the virtual board, its ``emulator.model`` note): their name is looked up in the
    cards of ``models/`` as before.
    """
    facts = stored_model(info)
    emulator = info.get("emulator") if isinstance(info.get("emulator"), dict) else {}
    emulated = emulator.get("model") if isinstance(emulator.get("model"), dict) else {}
    merged = {**emulated, **info, **facts}
    name = next((str(merged[k]) for k in MODEL_NAME_KEYS + ("name",)
                 if isinstance(merged.get(k), str)), "-")
    digest = next((str(merged[k]) for k in MODEL_HASH_KEYS if merged.get(k)), "-")
    if digest == "-" and any(k in merged for k in MODEL_HASH_KEYS):
        digest = "none (no model loaded)"
    if not facts and name == "-":  # a run stored before runs kept their model facts
        name = untrained_models().get(digest.lower(), name)
    untrained = stored_untrained(info) or bool(emulated.get("untrained"))
    if untrained:
        digest += " (UNTRAINED: for latency only, its predictions mean nothing)"
    return name, digest


def _model_facts_rows(info: dict[str, Any]) -> list[tuple[str, str]]:
    """Rows for the model facts the run stored (none for runs stored before it kept them)."""
    facts = stored_model(info)
    rows = []
    budget = facts.get("budget")
    if isinstance(budget, dict) and isinstance(budget.get("model_bytes"), int):
        from bench_app.core.model import budget_verdict

        verdict = budget_verdict(budget["model_bytes"], budget.get("arena_bytes"),
                                 budget.get("budget_bytes") or MEMORY_BUDGET_BYTES)
        rows.append(("model memory (1.8 MB budget)", verdict.text()))
    if isinstance(facts.get("ops"), list) and facts["ops"]:
        rows.append(("model operators", ", ".join(str(op) for op in facts["ops"])))
    return rows


def header(inp: ReportInput, made_at: str) -> list[Block]:
    """Title, run facts, board INFO and parameters."""
    run, info = inp.run, inp.board_info
    model_name, model_hash = _model_line(info)
    facts = [
        ("run id", inp.uid), ("procedure", inp.procedure), ("status", _text(run.get("status"))),
        ("started", _text(run.get("started"))), ("ended", _text(run.get("ended"))),
        ("bench version (run)", _text(run.get("bench_version"))),
        ("report made", f"{made_at} with bench {__version__}"),
        ("board firmware", _text(info.get("firmware", info.get("firmware_version")))),
        ("model", model_name),
        ("model sha256", model_hash),
    ]
    facts.extend(_model_facts_rows(info))
    if run.get("model_training"):
        facts.append(("model made by", _text(run["model_training"])))
    if run.get("note"):
        facts.append(("engineer's note", _text(run["note"])))
    skip = {"frontend", "firmware", "firmware_version", "model", *MODEL_HASH_KEYS, *MODEL_NAME_KEYS}
    board = [(str(k), _text(v)) for k, v in info.items()
             if k not in skip and not str(k).startswith("fe.")]
    params = run.get("parameters") or {}
    blocks: list[Block] = [
        Heading(f"Bench report: {inp.procedure} run {inp.uid[:8]}", 1),
        Table("Run", ("item", "value"), tuple(facts)),
    ]
    if board:
        blocks.append(Table("Board INFO", ("item", "value"), tuple(board)))
    host = run.get("host")
    if isinstance(host, dict) and host:
        rows = tuple((str(k), _text(v)) for k, v in host.items())
        blocks.append(Table("Host computer", ("item", "value"), rows))
    if isinstance(params, dict) and params:
        rows = tuple((str(k), _text(v)) for k, v in params.items())
        blocks.append(Table("Run parameters", ("parameter", "value"), rows))
    return blocks


def verdict(inp: ReportInput) -> list[Block]:
    """Verdict with reasons, run status and what data is missing."""
    passed = inp.passed()
    word = {True: "PASS", False: "FAIL", None: "NO VERDICT"}[passed]
    tone = {True: "pass", False: "fail", None: "warn"}[passed]
    headline = Paragraph(f"Verdict: {word}", tone)
    if passed is None and inp.procedure == "latency":
        headline = Paragraph(MEASURES_ONLY, "note")
    if passed is None and inp.procedure == "corpus":
        headline = Paragraph(SCORES_ONLY, "note")
    blocks: list[Block] = [Heading("Verdict"), headline]
    blocks += [Paragraph(f"• {reason}") for reason in inp.reasons()]
    status = str(inp.run.get("status", "unknown"))
    if status not in FINISHED_STATUSES:
        reason = inp.run.get("reason")
        blocks.append(Paragraph(
            f"The run's status is '{status}'" + (f" ({reason})" if reason else "")
            + ": it did not finish, so this report shows only what was stored before it "
            "stopped.", "warn"))
    missing = inp.missing_arrays()
    if missing:
        blocks.append(Paragraph("Missing from this run (not stored): " + ", ".join(missing)
                                + ". The parts of the report that need them are left out.",
                                "warn"))
    blocks += [Paragraph(note, "warn") for note in inp.notes]
    return blocks


def configs(inp: ReportInput) -> list[Block]:
    """Host and board front-end configs side by side, lint mismatches highlighted."""
    host, board = inp.host_frontend, inp.board_frontend()
    flagged = {str(f.get("key")) for f in inp.lint}
    keys = list(dict.fromkeys([*host, *board, *sorted(flagged - set(host) - set(board))]))
    rows, highlight = [], set()
    for i, key in enumerate(keys):
        mark = "MISMATCH" if key in flagged else ""
        if mark:
            highlight.add(i)
        rows.append((key, _text(host.get(key, "-")), _text(board.get(key, "-")), mark))
    blocks: list[Block] = [Heading("Front-end configuration")]
    if rows:
        blocks.append(Table("Host and board front end", ("setting", "host", "board", "lint"),
                            tuple(rows), frozenset(highlight)))
    else:
        blocks.append(Paragraph("Neither front-end config was stored with this run.", "warn"))
    if inp.lint:
        lint_rows = tuple((_text(f.get("severity")), _text(f.get("key")), _text(f.get("host")),
                           _text(f.get("board")), _text(f.get("message"))) for f in inp.lint)
        blocks.append(Table("Lint findings", ("severity", "setting", "host", "board", "message"),
                            lint_rows, frozenset(range(len(lint_rows)))))
    elif host and board:
        blocks.append(Paragraph("Lint: the host and board front-end configs match.", "pass"))
    elif rows and not (inp.procedure == "latency" and not host):  # latency needs no host FE
        side = "host" if not host else "board"
        blocks.append(Paragraph(f"The {side} front-end config was not stored with this run, so "
                                "the report cannot compare the two.", "warn"))
    return blocks


def results(inp: ReportInput) -> list[Block]:
    """PCAN paragraph, metrics table, figures and per-channel table."""
    blocks: list[Block] = [Heading("Results")]
    pcan_text = pcan_explanation()
    from bench_app.core.analysis.verdict import stimulus_error_to_explain

    stimulus_error = stimulus_error_to_explain(_number(inp.summary.get("stimulus_mre")))
    if inp.procedure == "alignment" and inp.pcan_enabled() and stimulus_error:
        blocks.append(Paragraph(pcan_text or "PCAN is on: the stimulus-referenced errors depend "
                                "on the noise floor (see docs/metrics.md).", "note"))
    blocks += [Paragraph(str(note), "warn")
               for _, notes in find_lists(inp.summary, "notes") for note in notes
               if note and note != pcan_text]
    if inp.corpus is not None:  # its own section instead of the generic summary tables
        from bench_app.core.report.corpus_section import corpus_blocks

        return blocks + corpus_blocks(inp.corpus)
    latency = latency_table(inp)
    if latency is not None:
        blocks.append(latency)
    tables = metric_tables(inp.summary)
    blocks += tables
    if not tables:
        blocks.append(Paragraph("No summary was stored for this run.", "warn"))
    for key, records in record_tables(inp.summary):
        columns = tuple(dict.fromkeys(str(c) for r in records for c in r))
        rows = tuple(tuple(_text(r.get(c)) for c in columns) for r in records)
        blocks.append(Table(label_of(key), columns, rows))
    blocks += all_figures(inp)
    channel = per_channel_rows(inp)
    if channel:
        blocks.append(channel)
    return blocks


def metric_tables(summary: dict[str, Any]) -> list[Table]:
    """The headline metrics table, then one table per summary section."""
    columns = ("metric", "value", "unit")
    top = {k: v for k, v in summary.items() if not isinstance(v, dict)}
    tables = []
    if rows := metric_rows(top, summary):
        tables.append(Table("Metrics", columns, tuple(rows)))
    for key, value in summary.items():
        if isinstance(value, dict) and (rows := metric_rows({key: value})):
            title = SECTION_TITLES.get(key, label_of(key).capitalize())
            prefix = label_of(key) + " / "
            rows = [(label.removeprefix(prefix), *rest) for label, *rest in rows]
            tables.append(Table(title, columns, tuple(rows)))
    return tables


def latency_table(inp: ReportInput) -> Table | None:
    """Latency percentiles per series: the stored ones, else computed from the stored arrays."""
    from bench_app.core.analysis.latency import latency_stats

    stored = inp.summary.get("series")
    rows = []
    if isinstance(stored, dict) and stored:
        caption = "As stored with the run."
        labels = {s.stored: s.label.text for s in LATENCY_SERIES}
        for name, stats in stored.items():
            if isinstance(stats, dict):
                cells = (label.value_text(stats.get(k)) for k, label in STAT_LABELS.items())
                rows.append((labels.get(name, str(name)), *cells))
    else:
        caption = "Computed by the report from the stored arrays (the run stored no summary)."
        for s in LATENCY_SERIES:
            if s.array in inp.arrays:
                values = np.asarray(inp.arrays[s.array], float).ravel() * s.to_ms
                stats = latency_stats(values).to_dict()
                rows.append((s.label.text, *(label.value_text(stats.get(k))
                                             for k, label in STAT_LABELS.items())))
    if not rows:
        return None
    heads = (label.text if k == "n" else f"{label.text} ({label.unit})"
             for k, label in STAT_LABELS.items())
    return Table("Latency", ("series", *heads), tuple(rows), caption=caption)


def per_channel_rows(inp: ReportInput) -> Table | None:
    """Per-channel parity error (%) and acoustic response (dB), when stored."""
    columns = [("parity_per_channel", "parity error (%)", "{:8.3f}", 100.0),
               ("acoustic_response_db", "acoustic response (dB)", "{:7.2f}", 1.0)]
    present = [(np.asarray(a, float).ravel(), label, fmt, f)
               for n, label, fmt, f in columns if (a := inp.array(n)) is not None]
    if not present:
        return None
    count = max(a.size for a, *_ in present)
    rows = tuple(
        (str(ch), *(fmt.format(a[ch] * f) if ch < a.size else "-" for a, _, fmt, f in present))
        for ch in range(count)
    )
    return Table("Per channel", ("channel", *(label for _, label, *_ in present)), rows)


def raw_files_text(raw_files: Sequence[str]) -> str:
    """One sentence listing the raw-data files, grouped by folder."""
    folders: dict[str, list[str]] = {}
    for path in raw_files:
        folder, _, name = path.rpartition("/")
        folders.setdefault(folder, []).append(name)
    parts = [f"in {folder or '.'}/: " + ", ".join(names) for folder, names in folders.items()]
    return ("Raw data beside this report (CSV and NPZ of every stored array, the metrics as "
            "CSV, the whole record as JSON), " + "; ".join(parts) + ".")


def build_blocks(inp: ReportInput, raw_files: Sequence[str] = (),
                 made_at: str | None = None) -> list[Block]:
    """The whole report, in order; ``raw_files`` are listed at the end."""
    made_at = made_at or _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    blocks = [*header(inp, made_at), *verdict(inp), *configs(inp), *results(inp)]
    if raw_files:
        blocks += [Heading("Raw data"), Paragraph(raw_files_text(raw_files))]
    return blocks
