"""A keyword corpus in the Speech Commands layout (for the model's keyword branch).

::

    DIR/<keyword>/<speaker>_nohash_<n>.wav
    DIR/_background_noise_/*.wav

One folder per keyword (its name is the class); the speaker is the part of the file name
before ``_nohash_`` (None when the name has no such part). ``_background_noise_`` holds long
noise recordings used for the silence class and for augmentation: they are kept in
`Corpus.background`, not as a class. Folders whose names start with ``.`` or ``_`` (other than
``_background_noise_``) are not keywords.
"""

from __future__ import annotations

from pathlib import Path

from bench_app.core.corpora.checks import vet_audio
from bench_app.core.corpora.model import Clip, Corpus, CorpusError, Problem

BACKGROUND_DIR = "_background_noise_"
AUDIO_SUFFIXES = (".wav", ".flac")


def read_keywords(folder, sample_rate: int = 16000) -> Corpus:
    """Read a Speech Commands layout folder.

    Raises
    ------
    CorpusError
        If the folder does not exist or has no keyword folders.
    """
    root = Path(folder)
    if not root.is_dir():
        raise CorpusError(f"The keyword corpus folder {root} does not exist.")
    words = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    if not words:
        raise CorpusError(f"{root} has no keyword folders (Speech Commands layout: one "
                          "folder per keyword).")
    corpus = Corpus(kind="keywords", root=root, class_names=tuple(p.name for p in words))
    for word_dir in words:
        files = sorted(word_dir.iterdir())
        for path in files:
            if not _is_audio(path, corpus.problems):
                continue
            info = vet_audio(path, corpus.problems, sample_rate)
            if info is None:
                continue
            speaker = path.stem.split("_nohash_")[0] if "_nohash_" in path.stem else None
            corpus.clips.append(Clip(
                clip_id=f"{word_dir.name}/{path.name}", path=path, label=word_dir.name,
                code=word_dir.name, speaker=speaker, duration_s=info.seconds,
            ))
        if not any(c.label == word_dir.name for c in corpus.clips):
            corpus.problems.append(Problem(str(word_dir), None, "holds no usable audio, so "
                                           "this keyword has no clips."))
    background = root / BACKGROUND_DIR
    if background.is_dir():
        for path in sorted(background.iterdir()):
            if _is_audio(path, corpus.problems):
                info = vet_audio(path, corpus.problems, sample_rate)
                if info is not None:
                    corpus.background.append(Clip(
                        clip_id=f"{BACKGROUND_DIR}/{path.name}", path=path, label=BACKGROUND_DIR,
                        code=BACKGROUND_DIR, duration_s=info.seconds, source="noise",
                    ))
    return corpus


def _is_audio(path: Path, problems: list[Problem]) -> bool:
    """True for an audio file; other files (READMEs, lists) are ignored, folders reported."""
    if path.name.startswith("."):
        return False
    if path.is_dir():
        problems.append(Problem(str(path), None, "is a folder inside a keyword folder; "
                                "it is not read."))
        return False
    return path.suffix.lower() in AUDIO_SUFFIXES
