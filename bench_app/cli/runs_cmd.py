"""`bench-app runs list|show|export`: the stored runs, newest first, one run in detail, and a
corpus run's clips as CSV."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from bench_app.cli.arg_types import positive_int
from bench_app.cli.output_files import Outputs, add_force_option, write_atomically
from bench_app.core.store.paths import STORE_ENV


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--store DIR`` to a command that reads or writes the run store."""
    parser.add_argument(
        "--store",
        metavar="DIR",
        help=(
            f"run store folder (default: ${STORE_ENV}, else the platform's user data folder, "
            "e.g. ~/.local/share/bench-app)"
        ),
    )


def open_store(args: argparse.Namespace, *, readonly: bool = False):
    """Open the store ``--store`` / the environment / the default points at.

    Commands that only read open it ``readonly``: nothing is created or written, so a typo in
    ``--store`` creates no folders and a store on read-only media can still be listed.
    """
    from bench_app.core.store import RunStore, resolve_store_dir

    return RunStore.open(resolve_store_dir(getattr(args, "store", None)), readonly=readonly)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``runs`` command group."""
    runs = subparsers.add_parser(
        "runs",
        help="list and inspect stored runs",
        description="List the runs in the run store, or show one run's record in full.",
    )
    sub = runs.add_subparsers(dest="runs_command", metavar="ACTION", required=True)

    p = sub.add_parser(
        "list",
        help="list stored runs, newest first",
        description="List stored runs, newest first: id, procedure, status, start, duration, "
        "verdict.",
    )
    p.add_argument("--procedure", help="only runs of this procedure (e.g. alignment)")
    p.add_argument(
        "--status",
        choices=["running", "success", "failed", "cancelled", "interrupted"],
        help="only runs that ended so",
    )
    p.add_argument("--limit", type=positive_int(), metavar="N", help="show at most N runs")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_store_option(p)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser(
        "show",
        help="show one run: parameters, board INFO, summary, streams, artifacts",
        description="Show one stored run in full. RUN_ID may be any unique prefix of its id.",
    )
    p.add_argument("run_id", metavar="RUN_ID", help="the run's id or a unique prefix of it")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_store_option(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser(
        "export",
        help="write a corpus run's clips as CSV (one row per clip)",
        description="Write one row per clip of a stored corpus run: index, utterance, speaker, "
        "session, label, the board's answer, the twin's answers on the clean clip and on the "
        "board's PCM, the sweep setting, and each answer's score per class.",
    )
    p.add_argument("run_id", metavar="RUN_ID", help="the run's id or a unique prefix of it")
    p.add_argument("--csv", metavar="OUT.csv", required=True, help="write the CSV here")
    add_force_option(p)
    add_store_option(p)
    p.set_defaults(func=cmd_export)


def _when(t: float | None) -> str:
    if t is None:
        return "-"
    return dt.datetime.fromtimestamp(t).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _iso(t: float | None) -> str | None:
    return None if t is None else dt.datetime.fromtimestamp(t, dt.UTC).isoformat()


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _record_json(record) -> dict[str, Any]:
    out = record.to_dict()
    out["started_iso"], out["ended_iso"] = _iso(record.started), _iso(record.ended)
    return out


def _print_json(obj: Any) -> None:
    from bench_app.core.runs.engine.documents import finite_or_none

    print(json.dumps(finite_or_none(obj), indent=2, allow_nan=False))


def cmd_list(args: argparse.Namespace) -> int:
    """`bench-app runs list`."""
    from bench_app.core.store import resolve_store_dir
    from bench_app.core.store.paths import DB_NAME

    folder = resolve_store_dir(getattr(args, "store", None))
    if not (folder / DB_NAME).exists():  # nothing stored there yet: say so, create nothing
        if args.json:
            _print_json({"store": str(folder), "runs": []})
        else:
            print(f"No runs in {folder} (no run store there yet).")
        return 0
    with open_store(args, readonly=True) as store:
        runs = store.list_runs(procedure=args.procedure, status=args.status, limit=args.limit)
        if args.json:
            _print_json({"store": str(store.store_dir), "runs": [_record_json(r) for r in runs]})
            return 0
        if not runs:
            print(f"No runs in {store.store_dir}.")
            return 0
        rows = [
            (
                r.short_uid,
                r.procedure,
                r.status,
                _when(r.started),
                _duration(r.duration_s),
                r.verdict or "-",
            )
            for r in runs
        ]
        header = ("ID", "PROCEDURE", "STATUS", "STARTED", "DURATION", "VERDICT")
        widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
        for row in (header, *rows):
            print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip())
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """`bench-app runs show RUN_ID`."""
    with open_store(args, readonly=True) as store:
        record = store.get_run(args.run_id)
        streams = store.stream_counts(record.uid)
        artifacts = store.artifacts(record.uid)
        provenance = _model_provenance(store, record)
        if args.json:
            _print_json(
                {
                    "store": str(store.store_dir),
                    "run": _record_json(record),
                    "streams": streams,
                    "artifacts": [a.to_dict() for a in artifacts],
                    "model_provenance": provenance,
                }
            )
            return 0
    print(f"Run {record.uid}")
    for label, value in (
        ("procedure", record.procedure),
        ("status", record.status),
        ("reason", record.reason or "-"),
        ("verdict", record.verdict or "-"),
        ("started", _when(record.started)),
        ("ended", _when(record.ended)),
        ("duration", _duration(record.duration_s)),
        ("bench", record.bench_version or "-"),
        ("host", (record.host or {}).get("hostname", "-")),
        ("note", record.note or "-"),
    ):
        print(f"  {label:<10} {value}")
    for title, mapping in (("parameters", record.parameters), ("board INFO", record.board_info)):
        print(f"{title}:")
        if not mapping:
            print("  (none)")
        for key, value in (mapping or {}).items():
            print(f"  {key}: {json.dumps(value) if isinstance(value, (dict, list)) else value}")
    if provenance:
        print("model provenance:")
        for line in provenance["lines"]:
            print(f"  {line}")
    print("summary:")
    _print_summary(record.summary or {})
    print("streams:")
    for name, count in streams.items() or [("(none)", "")]:
        print(f"  {name} {count}".rstrip())
    print(f"artifacts: {len(artifacts)}" + (f" (in {store.store_dir})" if artifacts else ""))
    for a in artifacts[:20]:
        print(f"  {a.name}  {a.dtype} {list(a.shape)}  {a.path}")
    if len(artifacts) > 20:
        print(f"  ... and {len(artifacts) - 20} more (use --json for all)")
    return 0


def _model_provenance(store, record) -> dict[str, Any] | None:
    """Which training run made the model this run ran, or which models a training run made.

    From the store's ``models`` table (by the sha256 in the run's board INFO); None when the
    store knows nothing about it.
    """
    made = [m for m in store.list_models() if m.training_run_uid == record.uid]
    if made:
        return {"made": [m.to_dict() for m in made],
                "lines": [f"made model {m.name} (sha256 {m.sha256[:16]}..., {m.path})"
                          for m in made]}  # fmt: skip
    model = store.model_of_run(record)
    if model is None:
        return None
    out: dict[str, Any] = {"model": model.to_dict(), "training_run": None}
    line = f"model {model.name} (sha256 {model.sha256[:16]}...)"
    if model.training_run_uid:
        try:
            train = store.get_run(model.training_run_uid)
        except Exception:  # the training run was deleted: the link says so
            train = None
        out["training_run"] = None if train is None else {
            "uid": train.uid, "status": train.status, "started_iso": _iso(train.started),
            "parameters": train.parameters}  # fmt: skip
        line += (f" was made by training run {model.training_run_uid[:8]}"
                 + ("" if train is None else f" ({train.status}, {_when(train.started)})"))
    else:
        line += ": the store knows no training run for it"
    out["lines"] = [line]
    return out


def _print_summary(summary: dict[str, Any]) -> None:
    """The summary's figures labelled as the report and the window label them
    (`bench_app.core.labels`), latency series one a line, then its reasons and notes."""
    from bench_app.core.labels import latency_row
    from bench_app.core.report.metrics import find_lists, metric_items

    if not summary:
        print("  (none)")
        return
    rows = [latency_row(name, stats) for name, stats in (summary.get("series") or {}).items()
            if isinstance(stats, dict)]
    rows += [(label, f"{shown} {unit}".rstrip()) for _, _, label, shown, unit
             in metric_items(summary)]
    width = max(len(label) for label, _ in rows) if rows else 0
    for label, text in rows:
        print(f"  {label:<{width}}  {text}")
    for key in ("reasons", "notes"):
        for _, lines in find_lists(summary, key):
            for line in lines:
                print(f"  - {line}")
    print("  (per-channel lists, front-end configs and histograms: --json)")


def cmd_export(args: argparse.Namespace) -> int:
    """`bench-app runs export RUN_ID --csv OUT.csv`."""
    from bench_app.core.report.corpus_csv import corpus_csv_text
    from bench_app.core.report.corpus_run import load_corpus_run

    out = Outputs(force=args.force).file(args.csv, "--csv")  # checked before any work
    with open_store(args, readonly=True) as store:
        run = load_corpus_run(store, args.run_id)
    text = corpus_csv_text(run)
    write_atomically(out, lambda fh: fh.write(text.encode("utf-8")))
    print(f"Wrote {len(run.records)} clips of corpus run {run.uid[:8]} ({run.status}) to {out}.")
    return 0
