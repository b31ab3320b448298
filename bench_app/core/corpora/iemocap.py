"""IEMOCAP in its release layout (users bring their own licensed copy; FACTS.md).

::

    IEMOCAP_full_release/SessionN/sentences/wav/<dialog>/<utterance>.wav
    IEMOCAP_full_release/SessionN/dialog/EmoEvaluation/<dialog>.txt
    IEMOCAP_full_release/SessionN/dialog/transcriptions/<dialog>.txt
    IEMOCAP_full_release/SessionN/dialog/wav/<dialog>.wav      (the whole dialog)

EmoEvaluation summary lines ``[6.2901 - 8.2357]<TAB>Ses01F_impro01_F000<TAB>neu<TAB>[2.5, 2.5,
2.5]`` give each utterance's time in the dialog, its code and (valence, activation,
dominance); the evaluators' lines below them (``C-E1:``, ``A-E2:``) and ``%`` headers are not
needed. The speaker's sex is the letter before the utterance number (``..._F000``); the speaker
is ``Ses01_F`` (one woman and one man per session). A dialog named ``..._impro..`` is
improvised, ``..._script..`` scripted. Transcript lines read ``<utterance> [start-end]: text``.

**The no-emotion class** (the paper's "no emotion": noise, and segments where only the other
speaker talks) is cut from each dialog's recording ``dialog/wav/<dialog>.wav`` using the
EmoEvaluation times of *every* utterance (mapped or not):

- ``other_speaker``: for the wearer X, a stretch where the other speaker talks and X does not
  (X's utterances removed from the other's), read from X's channel: what a board worn by X
  hears when X is silent;
- ``noise``: a stretch where neither speaker talks, read from one wearer's channel (F and M in
  turn).

Stretches shorter than ``min_segment_s`` are not used. In a two-channel dialog recording the
wearer's channel comes from ``dialog_channels`` (default F -> 0, M -> 1: an assumption, not
checked against the licensed release; pass the mapping your copy has). A one-channel
recording is used as it is for both. A dialog without a recording gets a problem and no
no-emotion clips.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from bench_app.core.corpora.checks import read_text_lines, vet_audio
from bench_app.core.corpora.labels import IEMOCAP_CODES, LabelMap
from bench_app.core.corpora.model import Clip, Corpus, CorpusError, Problem

RELEASE_DIR = "IEMOCAP_full_release"
DEFAULT_DIALOG_CHANNELS = {"F": 0, "M": 1}

_SUMMARY = re.compile(
    r"^\[\s*(?P<start>\d+(?:\.\d+)?)\s*-\s*(?P<end>\d+(?:\.\d+)?)\s*\]\s+(?P<utt>\S+)\s+"
    r"(?P<code>\S+)\s+\[(?P<vad>[^\]]*)\]\s*$"
)
_UTTERANCE = re.compile(r"^(?P<ses>Ses\d+)[FM]_(?:impro|script)\w*?_(?P<sex>[FM])\d+$")
_TRANSCRIPT = re.compile(r"^(?P<utt>\S+)\s+\[[^\]]*\]:\s?(?P<text>.*)$")
#: Lines of an EmoEvaluation file that carry nothing the reader needs.
_IGNORED_PREFIXES = ("%", "C-", "A-", "S-")


def find_release_root(folder: Path) -> Path:
    """The folder holding ``SessionN``: ``folder`` itself or its ``IEMOCAP_full_release``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"The IEMOCAP folder {folder} does not exist.")
    for candidate in (folder, folder / RELEASE_DIR):
        if any(p.is_dir() for p in candidate.glob("Session*")):
            return candidate
    raise CorpusError(f"{folder} holds no Session* folders, so it is not an IEMOCAP release "
                      f"(expected {folder}/Session1 or {folder}/{RELEASE_DIR}/Session1).")


def read_iemocap(folder, label_map: LabelMap | None = None, sample_rate: int = 16000,
                 min_segment_s: float = 1.0, dialog_channels: dict | None = None,
                 kind: str = "iemocap") -> Corpus:
    """Read an IEMOCAP release folder into a `Corpus` (never fails on a damaged item).

    Parameters
    ----------
    folder : path
        ``IEMOCAP_full_release`` or the folder that holds it.
    label_map : LabelMap, optional
        Codes -> classes; the paper's default when omitted.
    sample_rate : int
        Rate the clips will be read at (other rates are listed as resampled).
    min_segment_s : float
        Shortest no-emotion stretch used.
    dialog_channels : dict, optional
        Channel of the dialog recording worn by ``"F"`` and by ``"M"``.

    Raises
    ------
    CorpusError
        Only if ``folder`` is not an IEMOCAP release at all.
    """
    root = find_release_root(Path(folder))
    label_map = label_map or LabelMap.default()
    corpus = Corpus(kind=kind, root=root, class_names=label_map.class_names)
    channels = dict(dialog_channels or DEFAULT_DIALOG_CHANNELS)
    sessions = sorted((p for p in root.glob("Session*") if p.is_dir()), key=_session_number)
    for session_dir in sessions:
        evaluations = session_dir / "dialog" / "EmoEvaluation"
        files = sorted(p for p in evaluations.glob("*.txt") if not p.name.startswith("."))
        if not files:
            corpus.problems.append(Problem(str(evaluations), None, "holds no EmoEvaluation "
                                           "label files, so the session has no clips."))
        for label_file in files:
            _read_dialog(corpus, session_dir, label_file, label_map, sample_rate,
                         min_segment_s, channels)
    return corpus


def _session_number(path: Path) -> tuple[int, str]:
    digits = re.sub(r"\D", "", path.name)
    return (int(digits) if digits else 0, path.name)


def _read_dialog(corpus: Corpus, session_dir: Path, label_file: Path, label_map: LabelMap,
                 sample_rate: int, min_segment_s: float, channels: dict) -> None:
    """Add one dialog's utterances (and its no-emotion stretches) to ``corpus``."""
    problems = corpus.problems
    lines = read_text_lines(label_file, problems)
    if lines is None:
        return
    dialog = label_file.stem
    session = session_dir.name
    transcripts = _read_transcripts(session_dir / "dialog" / "transcriptions" /
                                    f"{dialog}.txt", problems)
    spoken: dict[str, list[tuple[float, float]]] = defaultdict(list)
    improvised = "_impro" in dialog
    seen: set[str] = set()
    for number, text in lines:
        stripped = text.strip()
        if not stripped or stripped.startswith(_IGNORED_PREFIXES):
            continue
        match = _SUMMARY.match(stripped)
        if match is None:
            what = "garbled (undecodable bytes)" if "\ufffd" in stripped else "not a label line"
            problems.append(Problem(str(label_file), number, f"is {what}: {stripped[:60]!r}."))
            continue
        utt, code = match["utt"], match["code"]
        start, end = float(match["start"]), float(match["end"])
        id_match = _UTTERANCE.match(utt)
        if id_match is None or not utt.startswith(dialog + "_"):
            problems.append(Problem(str(label_file), number, f"names utterance {utt!r}, "
                                    f"which is not an utterance id of dialog {dialog}."))
            continue
        if utt in seen:
            problems.append(Problem(str(label_file), number, f"labels {utt} a second time; "
                                    "the first label is kept."))
            continue
        seen.add(utt)
        if end <= start:
            problems.append(Problem(str(label_file), number, f"gives {utt} an end time "
                                    f"({end}) not after its start ({start})."))
            continue
        sex = id_match["sex"]
        spoken[sex].append((start, end))
        vad = _parse_vad(match["vad"])
        if vad is None:
            problems.append(Problem(str(label_file), number, f"has dimensional values "
                                    f"[{match['vad']}] that are not three numbers."))
            continue
        if code not in IEMOCAP_CODES:
            problems.append(Problem(str(label_file), number, f"has the unknown emotion code "
                                    f"{code!r} (IEMOCAP uses {', '.join(IEMOCAP_CODES)})."))
            continue
        label = label_map.class_of(code)
        if label is None:
            corpus.skipped_codes[code] += 1
            continue
        wav = session_dir / "sentences" / "wav" / dialog / f"{utt}.wav"
        info = vet_audio(wav, problems, sample_rate)
        if info is None:
            continue
        corpus.clips.append(Clip(
            clip_id=utt, path=wav, label=label, code=code, speaker=f"{id_match['ses']}_{sex}",
            session=session, duration_s=info.seconds, transcript=transcripts.get(utt),
            dialog=dialog, improvised=improvised, vad=vad, source="utterance",
        ))
    if label_map.no_emotion and spoken:
        _add_no_emotion(corpus, session_dir, dialog, spoken, label_map.no_emotion,
                        sample_rate, min_segment_s, channels, improvised)


def _parse_vad(text: str) -> tuple[float, float, float] | None:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        return None
    return values if len(values) == 3 else None  # type: ignore[return-value]


def _read_transcripts(path: Path, problems: list[Problem]) -> dict[str, str]:
    """Utterance id -> text; a missing file gives none (transcripts are optional)."""
    if not path.exists():
        return {}
    out: dict[str, str] = {}
    for number, text in read_text_lines(path, problems) or []:
        stripped = text.strip()
        if not stripped:
            continue
        match = _TRANSCRIPT.match(stripped)
        if match is None:
            problems.append(Problem(str(path), number, f"is not a transcript line "
                                    f"({stripped[:60]!r}); line ignored.", skipped=False))
            continue
        out[match["utt"]] = match["text"].strip()
    return out


def _add_no_emotion(corpus: Corpus, session_dir: Path, dialog: str,
                    spoken: dict[str, list[tuple[float, float]]], label: str, sample_rate: int,
                    min_s: float, channels: dict, improvised: bool) -> None:
    """Cut the other-speaker-only and noise stretches of a dialog (module docstring)."""
    wav = session_dir / "dialog" / "wav" / f"{dialog}.wav"
    if not wav.exists():
        corpus.problems.append(Problem(str(wav), None, "is missing, so dialog "
                                       f"{dialog} gives no no-emotion clips."))
        return
    info = vet_audio(wav, corpus.problems, sample_rate, channel=0)
    if info is None:
        return
    session_tag = dialog.split("_", 1)[0][:-1]  # Ses01F -> Ses01
    if info.channels > 1 and any(not 0 <= channels.get(s, -1) < info.channels for s in "FM"):
        corpus.problems.append(Problem(str(wav), None, f"has {info.channels} channels, which "
                                       f"do not fit the wearer channels {channels}; no "
                                       "no-emotion clips from it."))
        return

    def channel_of(sex: str) -> int | None:
        return None if info.channels == 1 else channels[sex]

    def add(kind: str, wearer: str, start: float, end: float, k: int) -> None:
        corpus.clips.append(Clip(
            clip_id=f"{dialog}_{kind}_{wearer}{k:03d}", path=wav, label=label, code=kind,
            speaker=f"{session_tag}_{wearer}", session=session_dir.name, start_s=start,
            end_s=end, channel=channel_of(wearer), duration_s=end - start, dialog=dialog,
            improvised=improvised, source=kind,
        ))

    for wearer, other in (("F", "M"), ("M", "F")):
        pieces = _subtract(_merge(spoken.get(other, [])), _merge(spoken.get(wearer, [])))
        pieces = [(a, min(b, info.seconds)) for a, b in pieces]  # labels past the recording
        for k, (start, end) in enumerate(p for p in pieces if p[1] - p[0] >= min_s):
            add("other_speaker", wearer, start, end, k)
    everyone = _merge([iv for ivs in spoken.values() for iv in ivs])
    gaps = _subtract([(0.0, info.seconds)], everyone)
    for k, (start, end) in enumerate(g for g in gaps if g[1] - g[0] >= min_s):
        add("noise", "FM"[k % 2], start, end, k)


def _merge(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Sorted union of intervals."""
    out: list[list[float]] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b) for a, b in out]


def _subtract(base: list[tuple[float, float]], cut: list[tuple[float, float]],
              ) -> list[tuple[float, float]]:
    """Parts of the (merged) ``base`` intervals not covered by the (merged) ``cut`` ones."""
    out = []
    for start, end in base:
        pos = start
        for c0, c1 in cut:
            if c1 <= pos or c0 >= end:
                continue
            if c0 > pos:
                out.append((pos, c0))
            pos = max(pos, c1)
        if pos < end:
            out.append((pos, end))
    return out
