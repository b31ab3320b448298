"""Shared fixtures of the corpus-run tests: a tiny synthetic corpus and one injected run."""

from __future__ import annotations

import pytest

from bench_app.core.analysis.corpus_records import STREAM_CLIPS


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory):
    """A synthetic IEMOCAP-layout corpus, two utterances per class (espeak-ng)."""
    from bench_app.core.corpora.synth import make_synthetic_corpus

    out = tmp_path_factory.mktemp("corpus_runs") / "synth"
    make_synthetic_corpus(out, per_class=2, seed=0)
    return out


class Collect:
    """A subscriber keeping the events of chosen streams (data and arrays)."""

    def __init__(self, streams=(STREAM_CLIPS, "metrics", "canary")) -> None:
        self.streams = set(streams)
        self.events: list[dict] = []

    def __call__(self, kind: str, doc: dict) -> None:
        if kind == "event" and doc["stream"] in self.streams:
            self.events.append(doc)

    def of(self, stream: str) -> list[dict]:
        return [e for e in self.events if e["stream"] == stream]


def run_corpus(params, subscribers=(), resume_records=()):
    """Run a corpus procedure to the end; return the RunResult."""
    from bench_app.core.runs import run_procedure
    from bench_app.core.runs.procedures.corpus.procedure import CorpusProcedure

    with CorpusProcedure(params, resume_records=resume_records) as proc:
        return run_procedure(proc, list(subscribers))


@pytest.fixture(scope="session")
def injected_run(tiny_corpus):
    """Five clips injected into a --fast virtual board: (result, collected events)."""
    from bench_app.core.runs.procedures.corpus.params import CorpusParams

    params = CorpusParams(device="sim", sim="--fast", corpus=f"synthetic:{tiny_corpus}",
                          limit=5, path="injected")
    got = Collect()
    return run_corpus(params, [got]), got
