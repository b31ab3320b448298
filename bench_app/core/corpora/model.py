"""The one model every corpus reader fills: `Clip`, `Problem` and `Corpus`.

A reader walks a folder and returns a `Corpus`: the clips it could use, each with its class
name (after the label map), and a `Problem` for everything it could not use or had to read in
an unusual way. Nothing in a corpus folder is fatal to reading it: a damaged file or a garbled
label line costs that one item, and the problem says which and why, so training can skip it
and say so.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench_app.core.errors import BenchError


class CorpusError(BenchError):
    """A corpus cannot be opened at all (no such folder, unknown kind, bad label map)."""


@dataclass(frozen=True)
class Clip:
    """One labelled stretch of audio.

    Attributes
    ----------
    clip_id : str
        Unique within its corpus (IEMOCAP: the utterance id; segments add a suffix).
    path : Path
        The audio file.
    label : str
        Class name after the label map (one of `Corpus.class_names`).
    code : str
        The label as the corpus writes it (IEMOCAP ``exc``; for csv / keyword corpora the same
        as ``label`` unless a map renamed it).
    speaker, session : str or None
        Who speaks (IEMOCAP ``Ses01_F``) and the recording session (``Session1``).
    start_s, end_s : float
        The stretch of ``path`` that is the clip; ``end_s`` None means to the end of the file.
    channel : int or None
        Channel of a multi-channel file to read (IEMOCAP dialog recordings); None for mono.
    duration_s : float
        Length of the clip in seconds (from the file header, or end - start).
    transcript : str or None
        What is said, where the corpus has transcripts.
    dialog : str or None
        IEMOCAP dialog name (``Ses01F_impro01``).
    improvised : bool or None
        IEMOCAP: True for ``impro`` dialogs, False for ``script`` ones.
    vad : tuple of float or None
        IEMOCAP's dimensional values (valence, activation, dominance), 1..5.
    source : str
        How the clip was made: ``utterance``, ``file``, ``noise`` or ``other_speaker``.
    """

    clip_id: str
    path: Path
    label: str
    code: str
    speaker: str | None = None
    session: str | None = None
    start_s: float = 0.0
    end_s: float | None = None
    channel: int | None = None
    duration_s: float = 0.0
    transcript: str | None = None
    dialog: str | None = None
    improvised: bool | None = None
    vad: tuple[float, float, float] | None = None
    source: str = "file"

    def to_dict(self) -> dict:
        """JSON-ready form (path as text)."""
        out = dataclasses.asdict(self)
        out["path"] = str(self.path)
        out["vad"] = list(self.vad) if self.vad else None
        return out


@dataclass(frozen=True)
class Problem:
    """Something in a corpus folder that could not be used, or was used with a caveat.

    Attributes
    ----------
    path : str
        The file concerned.
    line : int or None
        1-based line of a label / transcript file, where the problem is on one line.
    reason : str
        One sentence saying what is wrong.
    skipped : bool
        True when the item was left out; False when it was read anyway (e.g. CRLF line
        endings, audio at another rate that is resampled).
    """

    path: str
    line: int | None
    reason: str
    skipped: bool = True

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


@dataclass
class Corpus:
    """The clips of one corpus folder, its class names and the problems met reading it.

    Attributes
    ----------
    kind : str
        ``iemocap``, ``synthetic``, ``csv`` or ``keywords``.
    root : Path
        The folder read.
    class_names : tuple of str
        Class order (index = class number in training).
    clips : list of Clip
        The usable clips.
    problems : list of Problem
        Everything that was skipped or read with a caveat, with the reason.
    background : list of Clip
        Keyword corpora: the ``_background_noise_`` recordings (no class of their own).
    skipped_codes : Counter
        Labels that are valid for the corpus but not in the label map (IEMOCAP ``fru``), by
        code: left out on purpose, so they are counted here and not listed as problems.
    """

    kind: str
    root: Path
    class_names: tuple[str, ...]
    clips: list[Clip] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    background: list[Clip] = field(default_factory=list)
    skipped_codes: Counter = field(default_factory=Counter)

    @property
    def name(self) -> str:
        """A short name for file names: ``kind-folder``."""
        return f"{self.kind}-{self.root.resolve().name}"

    def class_index(self, label: str) -> int:
        """Index of ``label`` in `class_names`."""
        return self.class_names.index(label)

    def filter(self, sessions=None, speakers=None, improvised: bool | None = None,
               labels=None) -> Corpus:
        """A corpus with only the clips that match every given criterion.

        Parameters
        ----------
        sessions, speakers, labels : iterable of str, optional
            Keep clips whose session / speaker / label is one of these.
        improvised : bool, optional
            True keeps improvised dialogs, False scripted ones. Clips with no dialog (noise
            segments keep theirs, csv clips have none) are dropped by either choice.
        """
        keep = list(self.clips)
        if sessions is not None:
            wanted = {str(s) for s in sessions}
            keep = [c for c in keep if c.session in wanted]
        if speakers is not None:
            wanted = {str(s) for s in speakers}
            keep = [c for c in keep if c.speaker in wanted]
        if improvised is not None:
            keep = [c for c in keep if c.improvised is improvised]
        if labels is not None:
            wanted = {str(s) for s in labels}
            keep = [c for c in keep if c.label in wanted]
        return dataclasses.replace(self, clips=keep)
