"""Reports of stored runs: one self-contained HTML file, a PDF, and the raw data as CSV + NPZ.

`ReportInput` bundles what a run stored; `load_report_input` reads it from the run store;
`write_report` writes the files. matplotlib is imported only when a report is drawn.
"""

from bench_app.core.report.model import EXPECTED_ARRAYS, ReportInput
from bench_app.core.report.writer import ReportFiles, write_report, write_report_folder

__all__ = ["EXPECTED_ARRAYS", "ReportFiles", "ReportInput", "write_report",
           "write_report_folder"]
