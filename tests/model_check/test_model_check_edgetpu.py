"""The Edge TPU report: Coral's documented ops and tensor rules, or the compiler's own table."""

from __future__ import annotations

import os
import stat

from bench_app.core.model.edgetpu_ops import (
    EDGETPU_OPS,
    SOURCE_URL,
    edgetpu_report,
    static_report,
)
from bench_app.testing.tiny_tflite import fully_connected_model


def test_static_report_maps_an_int8_fully_connected():
    report = static_report(fully_connected_model())
    assert [(p.op, p.on_tpu) for p in report.ops] == [("FULLY_CONNECTED", True)]
    assert report.cpu_ops == [] and SOURCE_URL in report.summary()


def test_static_report_names_what_falls_back_and_why():
    assert "BATCH_MATMUL" not in EDGETPU_OPS
    bmm = static_report(fully_connected_model(op="BATCH_MATMUL"))
    assert bmm.unmapped == ["BATCH_MATMUL"] and "not in Coral's list" in bmm.ops[0].why
    flt = static_report(fully_connected_model(dtype="float32"))
    assert not flt.ops[0].on_tpu and "float32 tensor" in flt.ops[0].why
    # An activation of rank 4 with an outer dimension above 1 breaks the rank rule.
    rank = static_report(fully_connected_model(batch_shape=(2, 2, 1)))
    assert not rank.ops[0].on_tpu and "3 innermost" in rank.ops[0].why
    ok3 = static_report(fully_connected_model(batch_shape=(1, 1, 5)))
    assert ok3.ops[0].on_tpu


def test_ops_after_the_first_unmapped_one_run_on_the_cpu(paper_model):
    report = static_report(paper_model.read_bytes())
    first = next(p for p in report.ops if not p.on_tpu)
    assert first.op == "BATCH_MATMUL"
    after = report.ops[first.index + 1:]
    assert after and all(not p.on_tpu for p in after)
    assert all(p.why.startswith("after op") for p in after if p.op in EDGETPU_OPS)
    assert all(p.on_tpu for p in report.ops[: first.index])


def test_compiler_on_path_is_used(tmp_path, monkeypatch, write_model):
    """A stand-in edgetpu_compiler printing the real tool's -s table: its rows are the report."""
    tool = tmp_path / "bin" / "edgetpu_compiler"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\n"
                    "echo 'Edge TPU Compiler version 16.0.384591198'\n"
                    "echo 'Operator                       Count      Status'\n"
                    "echo 'FULLY_CONNECTED                1          Mapped to Edge TPU'\n"
                    "echo 'BATCH_MATMUL                   2          Operation not supported'\n"
                    "echo 'Compilation succeeded!'\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tool.parent}{os.pathsep}{os.environ['PATH']}")
    path = write_model("m")
    report = edgetpu_report(path, path.read_bytes())
    assert report.source == "compiler"
    assert [(p.op, p.on_tpu) for p in report.ops] == [("FULLY_CONNECTED", True),
                                                      ("BATCH_MATMUL", False)]
    assert report.cpu_ops == ["BATCH_MATMUL"] and "Compilation succeeded" in report.summary()
