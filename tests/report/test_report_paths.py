"""Report file names are sanitised and nothing is written outside the chosen output folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench_app.core.errors import BenchError
from bench_app.core.report import write_report, write_report_folder
from bench_app.core.report.paths import inside, sanitize_filename
from bench_app.core.report.samples import latency_input

SAFE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_sanitized_names_are_plain_file_names(name):
    clean = sanitize_filename(name)
    assert SAFE.match(clean), clean
    assert clean not in (".", "..") and "/" not in clean and "\\" not in clean
    assert len(clean) <= 121


@pytest.mark.parametrize(
    "name", ["../../etc/x", "..", "/etc/passwd", "a/../../b", "..\\..\\win.ini", "CON", "nul.txt",
             "ré sumé <script>.html", "\x00\n\t", ""],
)
def test_hostile_names_stay_inside(tmp_path, name):
    path = inside(tmp_path, name)
    assert path.parent == tmp_path.resolve()
    assert path.name not in ("", ".", "..")


def test_symlink_escape_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "out"
    root.mkdir()
    (root / "link").symlink_to(outside / "target")
    with pytest.raises(BenchError, match="would leave the folder"):
        inside(root, "link")


def _all_files(folder: Path) -> set[Path]:
    return {Path(d) / f for d, _, files in os.walk(folder) for f in files}


def test_hostile_run_writes_only_inside_the_output_folder(tmp_path):
    inp = latency_input(count=30)
    inp.run["uid"] = "../../etc/x"
    inp.run["procedure"] = "../../../tmp/evil proc?*"
    inp.arrays["../../etc/passwd"] = np.arange(3)
    inp.arrays["..\\boot.ini"] = np.arange(4.0)
    inp.arrays["metrics"] = np.zeros(2)  # clashes with the metrics file's name
    out = tmp_path / "nested" / "out"
    before = _all_files(tmp_path)
    files = write_report_folder(inp, out)
    created = _all_files(tmp_path) - before
    assert created and all(p.resolve().is_relative_to(out.resolve()) for p in created)
    assert files.html in created and files.pdf in created
    names = sorted(p.name for p in files.raw)
    assert "etc_passwd.csv" in names and "boot.ini.csv" in names
    assert "metrics_2.csv" in names and "metrics.csv" in names
    # no temporary ".part" file is left behind
    assert not [p for p in created if p.name.endswith(".part")]


def test_explicit_paths_are_written_exactly_as_named(tmp_path):
    """The user's own names are kept (issue 9: no silent renaming); stored names are not."""
    inp = latency_input(count=20)
    files = write_report(inp, html=tmp_path / "my report (v2) ü.HTML", pdf=None)
    assert files.html == tmp_path.resolve() / "my report (v2) ü.HTML" and files.html.is_file()
    files = write_report(inp, html=tmp_path / "report", pdf=tmp_path / "r e.p")
    assert files.html.name == "report" and files.pdf.name == "r e.p"
    assert files.pdf.read_bytes().startswith(b"%PDF")


def test_output_folder_that_is_a_file_is_one_sentence(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(BenchError, match=r"is a file, not a folder\.$"):
        write_report_folder(latency_input(count=10), blocker)
