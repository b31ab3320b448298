"""Corpus specs, parsed in one place: ``iemocap:DIR``, ``synthetic:DIR``, ``csv:DIR``,
``keywords:DIR``, or a bare ``DIR`` whose kind is recognised from what it holds.

- ``iemocap``: an IEMOCAP release (`iemocap`);
- ``synthetic``: a folder written by ``bench-app corpus synth`` (its IEMOCAP-layout part; its
  keyword part is ``keywords:DIR/keywords``);
- ``csv``: a folder with a ``labels.csv`` (`csv_folder`);
- ``keywords``: a Speech Commands layout folder (`keywords`).
"""

from __future__ import annotations

from pathlib import Path

from bench_app.core.corpora.csv_folder import LABELS_FILE, read_csv_folder
from bench_app.core.corpora.iemocap import RELEASE_DIR, read_iemocap
from bench_app.core.corpora.keywords import read_keywords
from bench_app.core.corpora.labels import LabelMap
from bench_app.core.corpora.model import Corpus, CorpusError

KINDS = ("iemocap", "synthetic", "csv", "keywords")
#: The file `synth` writes at the top of its output; it marks a folder as synthetic.
SYNTH_MARKER = "synthetic_corpus.json"


def parse_spec(spec: str) -> tuple[str, Path]:
    """Split ``kind:DIR`` into (kind, folder); a bare folder gets its kind from its contents.

    Raises
    ------
    CorpusError
        For an unknown kind, or a bare folder whose kind cannot be recognised.
    """
    text = str(spec)
    kind, sep, rest = text.partition(":")
    if sep and kind in KINDS:
        if not rest:
            raise CorpusError(f"The corpus spec {text!r} names no folder after '{kind}:'.")
        return kind, Path(rest)
    if sep and not Path(text).exists() and "/" not in kind and len(kind) > 1:
        raise CorpusError(f"Unknown corpus kind {kind!r} in {text!r}; use one of "
                          f"{', '.join(k + ':DIR' for k in KINDS)}.")
    return detect_kind(Path(text)), Path(text)


def detect_kind(folder: Path) -> str:
    """Recognise a corpus folder's kind from its contents (see the module docstring)."""
    if not folder.is_dir():
        raise CorpusError(f"The corpus folder {folder} does not exist.")
    if (folder / SYNTH_MARKER).is_file():
        return "synthetic"
    if (folder / LABELS_FILE).is_file():
        return "csv"
    if any(folder.glob("Session*")) or (folder / RELEASE_DIR).is_dir():
        return "iemocap"
    if any(p.is_dir() and not p.name.startswith((".", "_")) for p in folder.iterdir()):
        return "keywords"
    raise CorpusError(f"Cannot tell what kind of corpus {folder} is; name it as "
                      f"{' or '.join(k + ':DIR' for k in KINDS)}.")


def open_corpus(spec: str, label_map: LabelMap | None = None,
                sample_rate: int = 16000) -> Corpus:
    """Read the corpus a spec names (problems are recorded, never raised).

    Raises
    ------
    CorpusError
        If the spec or folder is not a corpus of the kind named.
    """
    kind, folder = parse_spec(spec)
    if kind == "iemocap":
        return read_iemocap(folder, label_map, sample_rate)
    if kind == "synthetic":
        if not (folder / SYNTH_MARKER).is_file():
            raise CorpusError(f"{folder} was not written by `bench-app corpus synth` (it has "
                              f"no {SYNTH_MARKER}).")
        return read_iemocap(folder, label_map, sample_rate, kind="synthetic")
    if kind == "csv":
        return read_csv_folder(folder, label_map, sample_rate)
    if label_map is not None:
        raise CorpusError("A keyword corpus takes its classes from its folder names; a label "
                          "map does not apply to it.")
    return read_keywords(folder, sample_rate)
