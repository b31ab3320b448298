"""Speech corpora for training and checking the model: readers, a synthetic maker, features.

- `model`: `Clip`, `Problem`, `Corpus` (what every reader returns);
- `spec.open_corpus("iemocap:DIR" | "synthetic:DIR" | "csv:DIR" | "keywords:DIR")`;
- `labels.LabelMap`: the paper's default classes or a user map from JSON;
- `summary.summarize`: counts per class / session / speaker, durations, problems;
- `synth.make_synthetic_corpus`: an IEMOCAP-layout corpus of styled espeak-ng speech;
- `features.load_features`: windowed front-end features, cached on disk.

Nothing here imports Qt or TensorFlow; reading a corpus never fails on one bad item.
"""

from bench_app.core.corpora.labels import LabelMap
from bench_app.core.corpora.model import Clip, Corpus, CorpusError, Problem
from bench_app.core.corpora.spec import open_corpus, parse_spec

__all__ = ["Clip", "Corpus", "CorpusError", "LabelMap", "Problem", "open_corpus", "parse_spec"]
