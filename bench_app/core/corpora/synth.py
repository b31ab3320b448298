"""`bench-app corpus synth`: a synthetic IEMOCAP-layout corpus of styled espeak-ng speech.

For tests and demos of the training path, never as a benchmark: the classes differ only by
the prosody this maker gives them (`synth_styles`), so a model that separates them shows that
the pipeline works, not that it recognises emotion.

What it writes under ``OUT``:

- ``IEMOCAP_full_release/SessionN/...`` for two sessions, each with a woman (F) and a man (M)
  of their own voices: ``sentences/wav/<dialog>/<utt>.wav``, ``dialog/EmoEvaluation``,
  ``dialog/transcriptions`` and ``dialog/wav/<dialog>.wav``. A dialog is built as a real
  two-microphone recording would be: each speaker's channel holds their own speech, the other
  speaker's at -20 dB (crosstalk) and its own noise floor at -55 dBFS; channel 0 is the woman's,
  channel 1 the man's (the reader's default). Utterance files are cut from the speaker's
  channel at the times the EmoEvaluation file gives, and the pauses between turns (some of
  1-2 s) give the reader its noise and other-speaker-only stretches. Dialogs alternate
  between ``impro`` and ``script`` names;
- ``keywords/<word>/<voice>_nohash_<n>.wav`` (1 s each) and ``keywords/_background_noise_``;
- ``README.md`` (says all this) and ``synthetic_corpus.json`` (seed, sizes, espeak-ng version).

The same seed gives the same files byte for byte: the random generator is seeded, espeak-ng
is deterministic for a version, voice and text, and no file holds a time stamp. espeak-ng runs
in a thread pool (each call is its own process); results are placed by index, not by finish
order. The corpus is written into a temporary sibling folder and renamed at the end, so an
interrupted run leaves no half-written corpus at ``OUT``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench_app.core.audio_files import write_wav
from bench_app.core.corpora import synth_styles as st
from bench_app.core.corpora.iemocap import RELEASE_DIR
from bench_app.core.corpora.model import CorpusError
from bench_app.core.corpora.spec import SYNTH_MARKER

RATE = 16000
UTTERANCES_PER_DIALOG = 8
CROSSTALK_DB = -20.0
NOISE_DBFS = -55.0


@dataclass
class _Utterance:
    code: str
    session: int
    sex: str
    sentence: str
    pitch: int
    rate: int
    amplitude: int
    samples: np.ndarray | None = None


def make_synthetic_corpus(out, per_class: int = 40, seed: int = 0, workers: int | None = None,
                          progress=None) -> dict:
    """Write the synthetic corpus to ``out`` (see the module docstring); return a summary.

    Parameters
    ----------
    out : path
        A folder that does not exist yet (in an existing folder) or is empty.
    per_class : int
        Utterances per emotion class (neutral, happy, sad, angry); 1..2000.
    seed : int
        Random seed: the same seed gives the same files.
    workers : int, optional
        espeak-ng processes at once (default: twice the cores, at most 8).
    progress : callable, optional
        Called as ``progress(done, total)`` while speaking.

    Raises
    ------
    CorpusError
        For a bad ``out`` or ``per_class``; `SpeechError` if espeak-ng is missing.
    """
    out = Path(out)
    if not 1 <= per_class <= 2000:
        raise CorpusError(f"--per-class must be 1..2000, not {per_class}.")
    if not out.parent.is_dir():
        raise CorpusError(f"Cannot write {out}: the folder {out.parent} does not exist.")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise CorpusError(f"{out} already exists and is not an empty folder; choose a new "
                          "--out.")
    rng = np.random.default_rng(seed)
    utterances = _plan_utterances(per_class, rng)
    keywords = _plan_keywords(max(4, per_class // 2), rng)
    jobs = [(u.sentence, st.VOICES[u.session][u.sex == "M"], u.pitch, u.rate, u.amplitude,
             st.STYLES[u.code]) for u in utterances]
    jobs += [(word, voice, pitch, rate, 100, None) for word, voice, pitch, rate, _ in keywords]
    spoken = _speak_all(jobs, workers, progress)
    for u, samples in zip(utterances, spoken, strict=False):
        u.samples = samples
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        counts = _write_iemocap(tmp / RELEASE_DIR, utterances, rng)
        kw_count = _write_keywords(tmp / "keywords", keywords, spoken[len(utterances):], rng)
        summary = {
            "synthetic": True, "seed": seed, "per_class": per_class,
            "classes": list(st.CLASS_CODES), "utterances": len(utterances),
            "dialogs": counts["dialogs"], "long_pauses": counts["long_pauses"],
            "keyword_clips": kw_count, "keywords": list(st.KEYWORDS),
            "voices": {f"Session{k}": {"F": v[0], "M": v[1]} for k, v in st.VOICES.items()},
            "espeak_ng": _espeak_version(),
        }
        (tmp / SYNTH_MARKER).write_text(json.dumps(summary, indent=2) + "\n")
        (tmp / "README.md").write_text(_readme(summary))
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    summary["out"] = str(out)
    return summary


def _plan_utterances(per_class: int, rng: np.random.Generator) -> list[_Utterance]:
    """Each class's utterances, spread over both sessions and sexes, with jittered prosody."""
    plan = []
    for name, codes in st.CLASS_CODES.items():
        for k in range(per_class):
            code = codes[k % len(codes)]
            style = st.STYLES[code]
            words = st.CLASS_KEYWORDS[name] if rng.random() < st.KEYWORD_CUE else st.KEYWORDS
            word = words[int(rng.integers(len(words)))]
            sentence = st.SENTENCES[int(rng.integers(len(st.SENTENCES)))]
            plan.append(_Utterance(
                code=code, session=1 + k % 2, sex="FM"[(k // 2) % 2],
                sentence=st.keyword_line(sentence, word),
                pitch=int(np.clip(style.pitch + rng.integers(-6, 7), 0, 99)),
                rate=int(style.rate_wpm + rng.integers(-12, 13)),
                amplitude=int(np.clip(style.amplitude + rng.integers(-10, 11), 10, 180)),
            ))
    return plan


def _plan_keywords(per_word: int, rng: np.random.Generator) -> list[tuple]:
    """(word, voice, pitch, rate, index) for every keyword clip."""
    plan = []
    for word in st.KEYWORDS:
        for k in range(per_word):
            voice = st.KEYWORD_VOICES[k % len(st.KEYWORD_VOICES)]
            plan.append((word, voice, int(rng.integers(30, 71)), int(rng.integers(140, 200)),
                         k))
    return plan


def _speak_all(jobs: list[tuple], workers: int | None, progress) -> list[np.ndarray]:
    """Run espeak-ng for every job in a thread pool; results in job order."""
    from bench_app.core.stimuli.speech import speak

    def one(job):
        text, voice, pitch, rate, amplitude, style = job
        if style is None:
            return speak(text, RATE, voice=voice, pitch=pitch, speed_wpm=rate)[0]
        return speak(st.ssml_text(text, style), RATE, voice=voice, pitch=pitch,
                     speed_wpm=rate, amplitude=amplitude, word_gap=style.word_gap,
                     ssml=True)[0]

    workers = workers or min(8, 2 * (os.cpu_count() or 1))
    results: list[np.ndarray] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done, samples in enumerate(pool.map(one, jobs), start=1):
            results.append(_trim(samples))
            if progress is not None:
                progress(done, len(jobs))
    return results


def _trim(samples: np.ndarray, threshold: int = 64) -> np.ndarray:
    """Cut espeak-ng's leading and trailing silence (the dialog timeline adds its own)."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > threshold)
    return samples[loud[0]:loud[-1] + 1] if loud.size else samples


def _noise(rng: np.random.Generator, n: int, dbfs: float) -> np.ndarray:
    return rng.standard_normal(n) * (32768.0 * 10 ** (dbfs / 20))


def _ms(seconds: float) -> int:
    """Samples at a whole millisecond, so the label times are exact with four decimals."""
    return int(round(seconds * 1000)) * RATE // 1000


def _write_iemocap(root: Path, utterances: list[_Utterance], rng) -> dict:
    """Group utterances into dialogs per session and write every file of the layout."""
    counts = {"dialogs": 0, "long_pauses": 0}
    for session in sorted(st.VOICES):
        mine = [u for u in utterances if u.session == session]
        order = rng.permutation(len(mine))
        mine = [mine[i] for i in order]
        sdir = root / f"Session{session}"
        for sub in ("dialog/EmoEvaluation", "dialog/transcriptions", "dialog/wav"):
            (sdir / sub).mkdir(parents=True, exist_ok=True)
        for n, first in enumerate(range(0, len(mine), UTTERANCES_PER_DIALOG)):
            turns = mine[first:first + UTTERANCES_PER_DIALOG]
            lead = turns[0].sex
            number = n // 2 + 1
            dialog = (f"Ses{session:02d}{lead}_impro{number:02d}" if n % 2 == 0
                      else f"Ses{session:02d}{lead}_script{number:02d}_1")
            counts["long_pauses"] += _write_dialog(sdir, dialog, turns, rng)
            counts["dialogs"] += 1
    return counts


def _write_dialog(sdir: Path, dialog: str, turns: list[_Utterance], rng) -> int:
    """Write one dialog's recording, utterance files, labels and transcript.

    Returns the number of pauses long enough (>= 1 s) to give a noise stretch.
    """
    starts, pos, long_gaps = [], _ms(float(rng.uniform(1.0, 1.6))), 1
    for u in turns:
        starts.append(pos)
        gap = rng.uniform(1.0, 2.0) if rng.random() < 0.3 else rng.uniform(0.2, 0.8)
        long_gaps += gap >= 1.0
        pos = _ms((pos + len(u.samples)) / RATE + gap)
    total = pos + _ms(1.2)
    speech = {"F": np.zeros(total), "M": np.zeros(total)}
    for u, start in zip(turns, starts, strict=True):
        speech[u.sex][start:start + len(u.samples)] += u.samples
    crosstalk = 10 ** (CROSSTALK_DB / 20)
    channels = {}
    for sex, other in (("F", "M"), ("M", "F")):
        mix = speech[sex] + crosstalk * speech[other] + _noise(rng, total, NOISE_DBFS)
        channels[sex] = np.clip(np.rint(mix), -32768, 32767).astype(np.int16)
    import soundfile as sf

    sf.write(str(sdir / "dialog" / "wav" / f"{dialog}.wav"),
             np.stack([channels["F"], channels["M"]], axis=1), RATE, subtype="PCM_16",
             format="WAV")
    wav_dir = sdir / "sentences" / "wav" / dialog
    wav_dir.mkdir(parents=True)
    labels = ["% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]", ""]
    transcript = []
    per_sex = {"F": 0, "M": 0}
    for u, start in zip(turns, starts, strict=True):
        utt = f"{dialog}_{u.sex}{per_sex[u.sex]:03d}"
        per_sex[u.sex] += 1
        end = start + len(u.samples)
        write_wav(wav_dir / f"{utt}.wav", channels[u.sex][start:end])
        t0, t1 = start / RATE, end / RATE
        v, a, d = st.VAD[u.code]
        labels += [f"[{t0:.4f} - {t1:.4f}]\t{utt}\t{u.code}\t[{v:.4f}, {a:.4f}, {d:.4f}]",
                   f"C-E1:\t{u.code};\t(synthetic)", ""]
        transcript.append(f"{utt} [{t0:08.4f}-{t1:08.4f}]: {u.sentence}")
    (sdir / "dialog" / "EmoEvaluation" / f"{dialog}.txt").write_text("\n".join(labels) + "\n")
    (sdir / "dialog" / "transcriptions" / f"{dialog}.txt").write_text(
        "\n".join(transcript) + "\n")
    return long_gaps


def _write_keywords(root: Path, plan: list[tuple], spoken: list[np.ndarray], rng) -> int:
    """One-second keyword clips (centred, with a faint noise floor) and background noise."""
    for (word, voice, _, _, k), samples in zip(plan, spoken, strict=True):
        folder = root / word
        folder.mkdir(parents=True, exist_ok=True)
        clip = np.zeros(RATE)
        body = samples[:RATE].astype(np.float64)
        offset = (RATE - len(body)) // 2
        clip[offset:offset + len(body)] = body
        clip += _noise(rng, RATE, NOISE_DBFS)
        speaker = voice.replace("+", "-")
        out = np.clip(np.rint(clip), -32768, 32767).astype(np.int16)
        write_wav(folder / f"{speaker}_nohash_{k // len(st.KEYWORD_VOICES)}.wav", out)
    background = root / "_background_noise_"
    background.mkdir(parents=True)
    white = _noise(rng, 10 * RATE, -30.0)
    pink = np.cumsum(_noise(rng, 10 * RATE, -30.0)) * 0.02
    pink -= np.convolve(pink, np.ones(401) / 401, mode="same")  # remove the drift
    for name, signal in (("white_noise.wav", white), ("brown_noise.wav", pink)):
        write_wav(background / name, np.clip(np.rint(signal), -32768, 32767).astype(np.int16))
    return len(plan)


def _espeak_version() -> str:
    try:
        done = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip().split(" Data at")[0] or "unknown"


def _class_words() -> str:
    return "; ".join(f"{c}: {' / '.join(w)}" for c, w in st.CLASS_KEYWORDS.items())


def _readme(summary: dict) -> str:
    return f"""# Synthetic speech-emotion corpus (bench-app corpus synth)

**This corpus is synthetic. It is for tests and demos of the bench's training path, not a
benchmark of emotion recognition.** Every utterance is espeak-ng speech ({summary['espeak_ng']})
of an emotionally neutral sentence that opens and closes with a keyword; the four classes
(neutral, happy, sad, angry) differ by the prosody the maker gives them (pitch, pitch range,
rate, loudness, pauses) and by the keyword, which is one of the class's two words
({_class_words()}) {st.KEYWORD_CUE:.0%} of the time and any keyword otherwise. A model that
separates them shows that features, training and quantization work, nothing more.

- `IEMOCAP_full_release/`: the IEMOCAP release layout, two sessions, one woman (F) and one man
  (M) each with their own voice; {summary['utterances']} utterances in {summary['dialogs']}
  dialogs (`impro` and `script` names), EmoEvaluation labels (codes neu, hap, exc, sad, ang
  with fixed dimensional values per code) and transcripts. Each dialog recording
  (`dialog/wav/`) has two channels, the woman's microphone (0) and the man's (1): own speech,
  the other's at -20 dB, and a noise floor at -55 dBFS. The pauses between turns give the
  no-emotion class (noise, and stretches where only the other speaker talks).
- `keywords/`: Speech Commands layout, {summary['keyword_clips']} one-second clips of
  {', '.join(summary['keywords'])}, and `_background_noise_/`.

Made with seed {summary['seed']} and {summary['per_class']} utterances per class; the same seed
gives the same files byte for byte. Read it with `bench-app corpus inspect synthetic:DIR` and
`bench-app corpus inspect keywords:DIR/keywords`.
"""
