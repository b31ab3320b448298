"""The HTML report: self-contained, escaped, balanced, and saying what the run stored."""

from __future__ import annotations

import base64
import io
from html.parser import HTMLParser

import numpy as np
import pytest

from bench_app.core.report import write_report
from bench_app.core.report.figures import DPI, WIDTH_IN
from bench_app.core.report.samples import alignment_input, latency_input
from bench_app.testing.report_html import table_rows

HOSTILE = '<script>alert("x")</script>'
QUOTES = "O'Brien & \"Co\" $x^2$"
VOID = {"meta", "img", "br", "hr", "link", "input"}


class _Collect(HTMLParser):
    """Text, tags, attributes and nesting errors of an HTML document (stdlib parser)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _parse(text: str) -> _Collect:
    parser = _Collect()
    parser.feed(text)
    parser.close()
    return parser


def _hostile_alignment():
    inp = alignment_input(seed=1, board_upper_hz=7500.0)
    inp.run["parameters"]["stimulus"] = HOSTILE
    inp.run["parameters"]["note"] = QUOTES
    inp.board_info["owner"] = "<img src=x onerror=alert(1)>"
    inp.lint[0]["message"] = "band <b>edge</b> & \"quoted\""
    return inp


@pytest.fixture(scope="module")
def alignment_html(tmp_path_factory):
    inp = _hostile_alignment()
    path = tmp_path_factory.mktemp("html") / "alignment.html"
    write_report(inp, html=path)
    return inp, path.read_text(encoding="utf-8")


def test_stored_text_is_escaped_and_shown_as_text(alignment_html):
    _, text = alignment_html
    assert "<script" not in text.lower() and "<img src=x" not in text and "<b>" not in text
    parsed = _parse(text)
    shown = "".join(parsed.text)
    for value in (HOSTILE, QUOTES, "<img src=x onerror=alert(1)>", 'band <b>edge</b> & "quoted"'):
        assert value in shown
    assert "script" not in parsed.tags and "b" not in parsed.tags


def test_html_is_self_contained_and_balanced(alignment_html):
    _, text = alignment_html
    parsed = _parse(text)
    assert parsed.errors == [] and parsed.stack == []
    assert "http://" not in text and "https://" not in text
    assert not {"script", "link", "iframe", "object", "embed"} & set(parsed.tags)
    sources = [v for tag, k, v in parsed.attrs if k in ("src", "href", "srcset", "data")]
    assert sources and all(v.startswith("data:image/png;base64,") for v in sources)


def test_figures_are_real_pngs(alignment_html):
    from matplotlib.image import imread

    _, text = alignment_html
    sources = [v for _, k, v in _parse(text).attrs if k == "src"]
    assert len(sources) == 4  # spectrograms, parity per channel, over time, acoustic response
    for src in sources:
        image = imread(io.BytesIO(base64.b64decode(src.split(",", 1)[1])), format="png")
        assert image.shape[1] == round(WIDTH_IN * DPI) and image.std() > 0.01


def test_verdict_metrics_and_lint_are_in_the_html(alignment_html):
    inp, text = alignment_html
    shown = " ".join(_parse(text).text)
    assert "Verdict: FAIL" in shown
    assert 'class="lint"' in text and "fe.filterbank_upper_band_limit" in shown
    rows = table_rows(text, "Metrics")
    assert rows["delay"] == ("2192", "samples")
    assert rows["level offset"] == ("-6.02", "dB")  # the CLI's and the window's label too
    assert rows["noise floor"] == ("-60.4", "dBFS")
    mre = inp.summary["mean_relative_error"]
    assert float(rows["pipeline parity MRE"][0]) == pytest.approx(mre * 100, rel=1e-3)
    assert rows["pipeline parity MRE"][1] == "%"
    per_channel = table_rows(text, "Per channel")
    expected = np.asarray(inp.arrays["parity_per_channel"]) * 100
    assert [float(per_channel[str(c)][0]) for c in range(32)] == pytest.approx(expected, abs=6e-4)
    assert "PCAN is on" in shown or "PCAN" in shown


@pytest.mark.parametrize("stored", [True, False], ids=["stored-summary", "from-arrays"])
def test_latency_table_matches_numpy_percentiles(tmp_path, stored):
    inp = latency_input(seed=3, count=150)
    if not stored:
        inp.summary = {}
    write_report(inp, html=tmp_path / "latency.html")
    text = (tmp_path / "latency.html").read_text(encoding="utf-8")
    rows = table_rows(text, "Latency")
    total = np.asarray(inp.arrays["latency_total_us"]) / 1000.0
    n, lo, median, p95, p99, hi, jitter = (float(v) for v in rows["board total"])
    assert n == 150
    assert (lo, hi) == pytest.approx((total.min(), total.max()), rel=1e-3)
    assert (median, p95, p99) == pytest.approx(tuple(np.percentile(total, [50, 95, 99])), rel=1e-3)
    assert jitter == pytest.approx(np.percentile(total, 95) - np.percentile(total, 5), rel=1e-3)
    host = np.asarray(inp.arrays["latency_host_ms"])
    assert float(rows["host: sound onset to RESULT"][2]) == pytest.approx(np.median(host), rel=1e-3)
    assert "UNTRAINED" in text
    assert text.count("<img ") == 2


@pytest.mark.parametrize("info, name, flagged", [
    ({"model_sha256": None}, "-", False),
    ({"model_sha256": "ab" * 32, "model_untrained": True}, "-", True),
    ({"model_sha256": "ab" * 32}, "-", False),
    ("sidecar", "untrained_paper_shape.tflite", True),
])
def test_model_line_says_when_the_model_is_untrained(tmp_path, info, name, flagged):
    import hashlib
    from pathlib import Path

    if info == "sidecar":  # the hash of the repository's untrained model file itself
        model = Path(__file__).resolve().parents[2] / "models" / "untrained_paper_shape.tflite"
        info = {"model_sha256": hashlib.sha256(model.read_bytes()).hexdigest()}
    inp = latency_input(count=10)
    inp.board_info = {"firmware_version": "0.3.1", **info}
    text = write_report(inp, html=tmp_path / "m.html").html.read_text(encoding="utf-8")
    rows = table_rows(text, "Run")
    assert rows["model"] == (name,)
    assert ("UNTRAINED" in rows["model sha256"][0]) is flagged
    assert rows["board firmware"] == ("0.3.1",)
    if info["model_sha256"] is None:
        assert rows["model sha256"] == ("none (no model loaded)",)
