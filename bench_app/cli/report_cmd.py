"""`bench-app report RUN_ID`: a stored run as a self-contained HTML file, a PDF and raw data."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench_app.cli.output_files import Outputs, add_force_option
from bench_app.cli.runs_cmd import add_store_option, open_store
from bench_app.core.errors import BenchError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` command."""
    p = subparsers.add_parser(
        "report",
        help="write a stored run's report: HTML, PDF and raw data (CSV + NPZ)",
        description=(
            "Write the report of one stored run: a self-contained HTML file (figures embedded, "
            "opens offline), an A4 PDF, and the raw data (every stored array as CSV and NPZ, "
            "the metrics as CSV, the whole record as JSON) in a folder beside them. The HTML and "
            "PDF are written at exactly the names given (an existing file only with --force); "
            "raw data file names are sanitised and stay inside the raw folder."
        ),
    )
    p.add_argument("run_id", metavar="RUN_ID", help="the run's id or a unique prefix of it")
    p.add_argument("--html", metavar="OUT.html", help="write the HTML report here")
    p.add_argument("--pdf", metavar="OUT.pdf", help="write the PDF report here")
    raw = p.add_mutually_exclusive_group()
    raw.add_argument(
        "--raw", metavar="DIR",
        help="folder for the raw data (default: <name>_raw beside the HTML or PDF)",
    )
    raw.add_argument("--no-raw", action="store_true", help="do not write the raw data")
    p.add_argument("--json", action="store_true", help="print one JSON object naming the files")
    add_force_option(p)
    add_store_option(p)
    p.set_defaults(func=cmd_report)


def _default_raw_dir(html: str | None, pdf: str | None) -> Path:
    anchor = Path(html or pdf).expanduser()
    return anchor.parent / f"{anchor.stem}_raw"


def cmd_report(args: argparse.Namespace) -> int:
    """`bench-app report`."""
    from bench_app.core.report import write_report
    from bench_app.core.report.load import load_report_input

    if not (args.html or args.pdf or args.raw):
        raise BenchError("Say what to write: --html OUT.html, --pdf OUT.pdf and/or --raw DIR.")
    raw_dir = None
    if not args.no_raw:
        raw_dir = args.raw or _default_raw_dir(args.html, args.pdf)
    outputs = Outputs(force=args.force)  # every output checked before anything is written
    html = None if args.html is None else outputs.file(args.html, "--html", new_folders=True)
    pdf = None if args.pdf is None else outputs.file(args.pdf, "--pdf", new_folders=True)
    if raw_dir is not None:
        outputs.folder(raw_dir, "--raw" if args.raw else "the raw data folder (--raw)",
                       new_folders=True)
    with open_store(args, readonly=True) as store:
        inp = load_report_input(store, args.run_id)
    files = write_report(inp, html=html, pdf=pdf, raw_dir=raw_dir)
    result = {
        "run_id": inp.uid,
        "procedure": inp.procedure,
        "status": inp.run.get("status"),
        "html": str(files.html) if files.html else None,
        "pdf": str(files.pdf) if files.pdf else None,
        "pdf_pages": files.pdf_pages,
        "raw": [str(p) for p in files.raw],
        "missing": inp.missing_arrays(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"Report of {inp.procedure} run {inp.uid[:8]} ({inp.run.get('status')}):")
    if files.html:
        print(f"  HTML  {files.html}")
    if files.pdf:
        print(f"  PDF   {files.pdf} ({files.pdf_pages} pages)")
    if files.raw:
        print(f"  raw   {files.raw[0].parent}/ ({len(files.raw)} files)")
    if result["missing"]:
        print(f"  not stored with the run: {', '.join(result['missing'])}")
    return 0
