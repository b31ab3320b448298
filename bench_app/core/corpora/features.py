"""Model-input features of a corpus: the bench's reference front end, windowed, cached on disk.

The training side calls::

    from bench_app.core.corpora import open_corpus
    from bench_app.core.corpora.features import load_features
    from bench_app.core.frontend import FrontendConfig

    corpus = open_corpus("synthetic:synth")
    X, y, clip_ids, class_names = load_features(corpus, FrontendConfig(), window_frames=498)
    # X int8 (N, 498, 32), y int64 (N,), clip_ids str (N,), class_names tuple

`load_features` returns a `FeatureSet`, which unpacks as those four and also carries how each
window was made (``window_start``, ``padded_frames``), the reference used, the clips that could
not be read (``problems``) and whether it came from the cache.

**Features** are computed by `bench_app.core.frontend` (bit-exact with TFLM's MicroFrontend)
for the given `FrontendConfig`, never by another spectrogram path; ``reference="mltk"``
computes them with MLTK's AudioFeatureGenerator instead (`mltk_reference`), and the set says
which. int8 is TFLM's formula (`frontend.to_int8`); ``dtype="uint16"`` keeps the raw output.

**Windows.** A clip's features are computed once from its start with a fresh front end (the
noise estimate carried through the clip, as on the board), then cut into windows of
``window_frames`` frames every ``hop_frames`` (default: no overlap); frames after the last
whole window are not used. A clip shorter than one window is **zero-padded at the end of its
audio** to the samples one window needs (``window + (frames - 1) * step``: 79,920 samples,
4.995 s, for 498 frames at 25/10 ms), i.e. as if the board heard digital silence after it;
``padded_frames`` counts the frames of each window that the padding completed.

**Speed.** The front end is causal (a frame depends only on samples up to its end), so clips of
similar length are zero-padded to a common length and run together through
`compute_features_batch` (numba, all cores), each keeping only its own frames. Audio is read
by a thread pool (concurrent.futures threads: numba is not fork-safe), each recording once
even when many clips are cut from it (IEMOCAP dialogs).

**Cache.** One ``.npz`` per corpus + settings under ``cache_dir`` (default: the user cache
folder ``bench-app/features``), named by a hash of every clip (id, path, size, modification
time, span, channel, label), the class names, the front end config, the window, hop,
reference and dtype: changing a file or a setting makes a new key, so a stale set is never
read. Files are written to a temporary name and renamed, so a killed run leaves none
half-written.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench_app.core.audio_files import read_audio
from bench_app.core.corpora.model import Clip, Corpus, CorpusError, Problem
from bench_app.core.errors import AudioFileError
from bench_app.core.frontend import FrontendConfig, compute_features_batch, to_int8

#: Bump when the way features are made changes, so old cache files are not used.
FEATURES_VERSION = 2
REFERENCES = ("bench", "mltk")
DTYPES = ("int8", "uint16")
#: Clips run together must be within this ratio of lengths (bounds the padding work).
_BATCH_LENGTH_RATIO = 1.25
_BATCH_MAX_SAMPLES = 8_000_000


@dataclass
class FeatureSet:
    """Windows of features with their labels; unpacks as ``X, y, clip_ids, class_names``.

    Attributes
    ----------
    X : numpy.ndarray
        int8 or uint16 (windows, window_frames, channels).
    y : numpy.ndarray
        int64 class index of each window (into ``class_names``).
    clip_ids : numpy.ndarray
        str: the clip each window comes from (a clip gives one or more windows).
    class_names : tuple of str
    window_start : numpy.ndarray
        First frame of each window within its clip.
    padded_frames : numpy.ndarray
        Frames of each window completed by zero padding (0 for a window inside the clip).
    sessions, speakers : numpy.ndarray
        str: each window's session and speaker ("" when the corpus has none), for splits
        by session or speaker (the paper validates on one session).
    reference : str
        Which front end computed the features, with its version.
    config : FrontendConfig
    problems : list of Problem
        Clips left out because their audio could not be read now.
    cache_path : Path or None
    from_cache : bool
    padding : str
        One sentence on how short clips were padded.
    """

    X: np.ndarray
    y: np.ndarray
    clip_ids: np.ndarray
    class_names: tuple[str, ...]
    window_start: np.ndarray
    padded_frames: np.ndarray
    sessions: np.ndarray
    speakers: np.ndarray
    reference: str
    config: FrontendConfig
    problems: list[Problem] = field(default_factory=list)
    cache_path: Path | None = None
    from_cache: bool = False
    padding: str = ""

    def __iter__(self):
        return iter((self.X, self.y, self.clip_ids, self.class_names))


def window_samples(cfg: FrontendConfig, window_frames: int) -> int:
    """Samples a fresh front end needs to produce ``window_frames`` frames."""
    return cfg.window_samples + (window_frames - 1) * cfg.step_samples


def load_features(corpus: Corpus, config: FrontendConfig | None = None,
                  window_frames: int = 498, hop_frames: int | None = None,
                  cache_dir=None, reference: str = "bench", dtype: str = "int8",
                  workers: int | None = None) -> FeatureSet:
    """Features of every clip of ``corpus``, in windows, from the cache when it is current.

    Parameters
    ----------
    corpus : Corpus
        From `open_corpus` (filtered as wanted).
    config : FrontendConfig, optional
        The model's front end settings; the paper's when omitted.
    window_frames, hop_frames : int
        Window length and step in frames (hop default: ``window_frames``).
    cache_dir : path, optional
        Where cache files live; ``False`` disables the cache.
    reference : {"bench", "mltk"}
    dtype : {"int8", "uint16"}
    workers : int, optional
        Threads reading audio (default: the number of cores).

    Raises
    ------
    CorpusError
        For bad settings, an unavailable reference, or a corpus with no clips.
    """
    cfg = config or FrontendConfig()
    hop = hop_frames or window_frames
    if window_frames < 1 or hop < 1:
        raise CorpusError("window_frames and hop_frames must be at least 1.")
    if reference not in REFERENCES:
        raise CorpusError(f"Unknown feature reference {reference!r}; use 'bench' or 'mltk'.")
    if dtype not in DTYPES:
        raise CorpusError(f"Unknown feature dtype {dtype!r}; use 'int8' or 'uint16'.")
    if not corpus.clips:
        raise CorpusError(f"The corpus at {corpus.root} has no clips to compute features of.")
    key = _cache_key(corpus, cfg, window_frames, hop, reference, dtype)
    path = None
    if cache_dir is not False:
        folder = Path(cache_dir) if cache_dir else _default_cache_dir()
        path = folder / f"{corpus.name}-{key[:16]}.npz"
        if path.is_file():
            cached = _load(path, cfg)
            if cached is not None:
                return cached
    result = _compute(corpus, cfg, window_frames, hop, reference, dtype, workers)
    if path is not None:
        _save(path, result)
        result.cache_path = path
    return result


def _default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("bench-app")) / "features"


def _cache_key(corpus: Corpus, cfg: FrontendConfig, window: int, hop: int, reference: str,
               dtype: str) -> str:
    clips = []
    stats: dict[Path, tuple[int, int]] = {}
    for c in corpus.clips:
        if c.path not in stats:
            try:
                st = c.path.stat()
                stats[c.path] = (st.st_size, st.st_mtime_ns)
            except OSError:
                stats[c.path] = (-1, -1)
        clips.append([c.clip_id, str(c.path), *stats[c.path], c.start_s, c.end_s, c.channel,
                      c.label])
    text = json.dumps({"version": FEATURES_VERSION, "clips": clips,
                       "classes": list(corpus.class_names), "config": cfg.to_dict(),
                       "window": window, "hop": hop, "reference": _reference_name(reference),
                       "dtype": dtype}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _reference_name(reference: str) -> str:
    if reference == "mltk":
        from bench_app.core.corpora.mltk_reference import mltk_version

        return f"mltk (silabs-mltk {mltk_version()} AudioFeatureGenerator)"
    from bench_app import __version__

    return f"bench (bench_app.core.frontend {__version__})"


def _read_clips(corpus: Corpus, cfg: FrontendConfig, workers: int | None,
                problems: list[Problem]) -> dict[str, np.ndarray]:
    """clip_id -> int16 samples of the clip's span, each recording read once."""
    groups: dict[tuple[Path, int | None], list[Clip]] = defaultdict(list)
    for clip in corpus.clips:
        groups[(clip.path, clip.channel)].append(clip)

    def read(item):
        (path, channel), clips = item
        try:
            samples = read_audio(path, channel=channel, sample_rate=cfg.sample_rate_hz).samples
        except AudioFileError as exc:
            return [(c, None, str(exc)) for c in clips]
        out = []
        for c in clips:
            first = int(round(c.start_s * cfg.sample_rate_hz))
            last = len(samples) if c.end_s is None else int(round(c.end_s * cfg.sample_rate_hz))
            if first >= len(samples) or last <= first:
                out.append((c, None, f"{path}: the span {c.start_s}-{c.end_s} s of "
                            f"{c.clip_id} is outside the recording."))
            else:
                out.append((c, samples[first:last], ""))
        return out

    pcm: dict[str, np.ndarray] = {}
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        for results in pool.map(read, groups.items()):
            for clip, samples, why in results:
                if samples is None:
                    problems.append(Problem(str(clip.path), None, f"{clip.clip_id} left out: "
                                            f"{why}"))
                else:
                    pcm[clip.clip_id] = samples
    return pcm


def _features(signals: list[np.ndarray], cfg: FrontendConfig, reference: str,
              ) -> list[np.ndarray]:
    """uint16 features of each signal (fresh front end each), batched by similar length."""
    if reference == "mltk":
        from bench_app.core.corpora.mltk_reference import mltk_features

        return [mltk_features(s, cfg) for s in signals]
    out: list[np.ndarray | None] = [None] * len(signals)
    order = sorted(range(len(signals)), key=lambda i: len(signals[i]))
    start = 0
    while start < len(order):
        shortest = len(signals[order[start]])
        end = start + 1
        while (end < len(order) and len(signals[order[end]]) <= shortest * _BATCH_LENGTH_RATIO
               and (end - start + 1) * len(signals[order[end]]) <= _BATCH_MAX_SAMPLES):
            end += 1
        members = order[start:end]
        longest = len(signals[members[-1]])
        batch = np.zeros((len(members), longest), dtype=np.int16)
        for row, i in enumerate(members):
            batch[row, :len(signals[i])] = signals[i]
        frames = compute_features_batch(batch, cfg)
        for row, i in enumerate(members):
            out[i] = frames[row, :cfg.frames_for(len(signals[i]))]
        start = end
    return out  # type: ignore[return-value]


def _compute(corpus: Corpus, cfg: FrontendConfig, window: int, hop: int, reference: str,
             dtype: str, workers: int | None) -> FeatureSet:
    problems: list[Problem] = []
    pcm = _read_clips(corpus, cfg, workers, problems)
    need = window_samples(cfg, window)
    clips = [c for c in corpus.clips if c.clip_id in pcm]
    signals, real_frames = [], []
    for c in clips:
        s = pcm[c.clip_id]
        real_frames.append(cfg.frames_for(len(s)))
        signals.append(np.concatenate([s, np.zeros(need - len(s), np.int16)])
                       if len(s) < need else s)
    feats = _features(signals, cfg, reference)
    xs, ys, ids, starts, padded, sessions, speakers = [], [], [], [], [], [], []
    for c, f, real in zip(clips, feats, real_frames, strict=True):
        for first in range(0, f.shape[0] - window + 1, hop):
            xs.append(f[first:first + window])
            ys.append(corpus.class_index(c.label))
            ids.append(c.clip_id)
            starts.append(first)
            padded.append(max(0, first + window - real))
            sessions.append(c.session or "")
            speakers.append(c.speaker or "")
    channels = cfg.filterbank_n_channels
    X = np.stack(xs) if xs else np.zeros((0, window, channels), np.uint16)
    if dtype == "int8":
        X = to_int8(X)
    return FeatureSet(
        X=X, y=np.asarray(ys, np.int64), clip_ids=np.asarray(ids, dtype=str),
        class_names=tuple(corpus.class_names), window_start=np.asarray(starts, np.int64),
        padded_frames=np.asarray(padded, np.int64), sessions=np.asarray(sessions, dtype=str),
        speakers=np.asarray(speakers, dtype=str), reference=_reference_name(reference),
        config=cfg, problems=problems,
        padding=(f"clips shorter than {window} frames were zero-padded at the end of their "
                 f"audio to {need} samples"),
    )


def _save(path: Path, fs: FeatureSet) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"class_names": list(fs.class_names), "reference": fs.reference,
            "config": fs.config.to_dict(), "padding": fs.padding,
            "problems": [p.to_dict() for p in fs.problems]}
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, X=fs.X, y=fs.y, clip_ids=fs.clip_ids, window_start=fs.window_start,
                     padded_frames=fs.padded_frames, sessions=fs.sessions,
                     speakers=fs.speakers, meta=np.asarray(json.dumps(meta)))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load(path: Path, cfg: FrontendConfig) -> FeatureSet | None:
    """The cached set, or None if the file cannot be read (it is then recomputed)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            arrays = {k: data[k] for k in ("X", "y", "clip_ids", "window_start",
                                           "padded_frames", "sessions", "speakers")}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    return FeatureSet(
        **arrays, class_names=tuple(meta["class_names"]), reference=meta["reference"],
        config=cfg, problems=[Problem(**p) for p in meta["problems"]], cache_path=path,
        from_cache=True, padding=meta["padding"],
    )
