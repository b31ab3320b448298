"""The clips of a corpus run: read, filtered, padded, and named by the model's classes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from bench_app.core.corpora import Clip, Corpus, LabelMap, Problem, open_corpus
from bench_app.core.errors import ConfigError

#: Corpus kinds a corpus run plays (keyword corpora are the keyword branch's, not emotions).
RUN_KINDS = ("iemocap", "synthetic", "csv")


def load_corpus(spec: str, label_map: str | None, sessions, limit: int | None,
                sample_rate: int) -> Corpus:
    """Open the corpus, keep the sessions asked for and the first ``limit`` clips."""
    from bench_app.core.corpora.spec import parse_spec

    kind, _ = parse_spec(spec)
    if kind not in RUN_KINDS:
        raise ConfigError(f"A corpus run plays {', '.join(k + ':DIR' for k in RUN_KINDS)} "
                          f"corpora, not {kind}.")
    lmap = LabelMap.from_json(label_map) if label_map else None
    corpus = open_corpus(spec, lmap, sample_rate)
    if sessions:
        wanted = {s if str(s).startswith("Session") else f"Session{s}" for s in sessions}
        corpus = corpus.filter(sessions=wanted)
    if limit is not None:
        corpus = dataclasses.replace(corpus, clips=corpus.clips[:limit])
    return corpus


def read_clip(clip: Clip, sample_rate: int) -> np.ndarray:
    """The clip's int16 samples (its span of the file, at ``sample_rate``).

    Raises
    ------
    bench_app.core.audio_files.AudioFileError
        When the file cannot be read (the caller skips the clip and says why).
    """
    from bench_app.core.audio_files import read_audio

    samples = read_audio(clip.path, channel=clip.channel, sample_rate=sample_rate).samples
    first = int(round(clip.start_s * sample_rate))
    last = len(samples) if clip.end_s is None else int(round(clip.end_s * sample_rate))
    if first >= len(samples) or last <= first:
        raise ValueError(f"the span {clip.start_s}-{clip.end_s} s is outside the recording")
    return samples[first:last]


def skipped(corpus: Corpus) -> list[dict]:
    """The corpus reader's problems that cost a clip, as ``{path, line, reason}``."""
    return [p.to_dict() for p in corpus.problems if p.skipped]


def class_names_for(model_path: str | Path | None, corpus: Corpus, n_outputs: int
                    ) -> tuple[list[str], str]:  # fmt: skip
    """The model's class names and where they came from.

    The model card's ``class_names`` when it states them; else the corpus label map's
    classes when there are as many as the model has outputs; else the run cannot name the
    board's answers and stops.
    """
    from bench_app.core.model import card_for

    card = card_for(model_path) if model_path else None
    names = list((card.doc.get("class_names") or []) if card else [])
    if names:
        if len(names) != n_outputs:
            raise ConfigError(f"The model card names {len(names)} classes but the model has "
                              f"{n_outputs} outputs.")
        return [str(n) for n in names], "model card"
    if len(corpus.class_names) == n_outputs:
        return list(corpus.class_names), "corpus label map (the model card names no classes)"
    raise ConfigError(f"The model has {n_outputs} outputs, its card names no classes and the "
                      f"corpus has {len(corpus.class_names)}; give a --label-map with "
                      f"{n_outputs} classes.")


def unreadable(clip: Clip, why: str) -> Problem:
    """A problem for a clip whose audio could not be read at play time."""
    return Problem(str(clip.path), None, f"{clip.clip_id} left out: {why}")
