"""The typed documents match what the controller emits; the router dispatches by method."""

from __future__ import annotations

import io
import json
import typing

import pytest

from bench_app.core.documents import (
    DescriptorDoc,
    DocumentRouter,
    EventDoc,
    StartDoc,
    StopDoc,
    SubscriberError,
)
from bench_app.core.runs import run_procedure
from bench_app.core.runs.engine.progress_bar import ProgressSubscriber
from bench_app.core.runs.engine.subscribers import DocumentLog, JsonLinesWriter
from bench_app.core.runs.procedures.tick import TickParams, TickProcedure

SHAPES = {"start": StartDoc, "descriptor": DescriptorDoc, "event": EventDoc, "stop": StopDoc}


def test_every_document_a_run_emits_has_exactly_its_typed_keys():
    def flaky(kind, doc):
        raise RuntimeError("detached")

    log = DocumentLog()
    run_procedure(TickProcedure(TickParams(count=3)), [flaky, log])
    assert set(log.kinds()) == set(SHAPES)
    for kind, doc in log.docs:
        assert set(doc) == set(typing.get_type_hints(SHAPES[kind])), kind
    (error,) = log.first("stop")["subscriber_errors"]
    assert set(error) == set(typing.get_type_hints(SubscriberError))


class _Recorder(DocumentRouter):
    def __init__(self):
        self.calls = []

    def start(self, doc):
        self.calls.append(("start", doc["procedure"]))

    def event_ticks(self, doc):
        self.calls.append(("ticks", doc["index"]))

    def stop(self, doc):
        self.calls.append(("stop", doc["status"]))


def test_router_calls_the_method_of_each_kind_and_stream():
    rec = _Recorder()
    run_procedure(TickProcedure(TickParams(count=2)), [rec])
    # the progress stream and descriptors have no method here: ignored, not an error
    assert rec.calls == [("start", "ticks"), ("ticks", 0), ("ticks", 1), ("stop", "success")]
    with pytest.raises(ValueError, match="unknown document kind 'resource'"):
        rec("resource", {})
    rec.event({"stream": "not an identifier", "index": 9})  # no method can match: ignored
    assert rec.calls[-1] == ("stop", "success")


def test_json_lines_writer_writes_every_document_in_order(tmp_path):
    path = tmp_path / "run.jsonl"
    log = DocumentLog()
    run_procedure(TickProcedure(TickParams(count=2, array_every=1)), [JsonLinesWriter(path), log])
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["name"] for line in lines] == log.kinds()
    event = next(line["doc"] for line in lines if line["doc"].get("arrays"))
    assert event["arrays"] == {"samples": {"dtype": "<i2", "shape": [160]}}


def test_progress_bar_draws_the_progress_stream_and_the_end():
    out = io.StringIO()
    result = run_procedure(TickProcedure(TickParams(count=2)),
                           [ProgressSubscriber(out, use_tqdm=False, min_interval_s=0)])
    text = out.getvalue()
    assert f"ticks {result.uid[:8]} [" in text
    assert text.endswith(f"ticks {result.uid[:8]}: success - {result.reason}\n")
