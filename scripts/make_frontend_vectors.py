#!/usr/bin/env python3
"""Write the front end golden vectors: input PCM and the bench reference's uint16 frames.

For every stimulus (seeded tones, chirp, noise, bursts, DC, full-scale square, silence, and one
espeak-ng utterance) and every firmware config (``firmware/core/configs/*.json``) this writes
the frames the bench's reference front end (`bench_app.core.frontend.compute_features`) makes
from it. The firmware's MicroFrontend must reproduce them bit for bit, on x86 and on the M7
(firmware/core/tests). Layout under ``--out`` (default ``fixtures/frontend``):

- ``pcm/NAME.i16``: the stimulus, raw int16 little-endian.
- ``CONFIG/NAME.u16``: its frames, raw uint16 little-endian, frames x channels, row-major.
- ``MANIFEST.txt``: one line per (config, stimulus): ``config stimulus n_samples n_frames
  n_channels`` (plain text, so firmware tests read it without a JSON parser).

The speech stimulus is made once with espeak-ng and then kept (its PCM is the input, so a
different espeak-ng version cannot change the vectors); everything else is recomputed, so
running this again gives identical files (tests/firmware checks that).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from bench_app.core.frontend import FrontendConfig, compute_features

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "firmware" / "core" / "configs"
DEFAULT_OUT = ROOT / "fixtures" / "frontend"
RATE = 16000
SPEECH_TEXT = "The quick brown fox jumps over the lazy dog."


def _i16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def stimuli() -> dict[str, np.ndarray]:
    """The seeded stimuli (speech excluded), 0.5 s each at 16 kHz."""
    rng = np.random.default_rng(1205)
    n = RATE // 2
    t = np.arange(n) / RATE
    level = lambda dbfs: 32767 * 10 ** (dbfs / 20)  # noqa: E731
    burst = np.zeros(n)
    for k, f in enumerate((300.0, 1200.0, 3100.0, 6200.0)):
        seg = slice(k * n // 4, k * n // 4 + n // 8)
        burst[seg] = level(-12) * np.sin(2 * np.pi * f * t[seg])
    burst += rng.normal(0, level(-60), n)
    square = np.where(np.sin(2 * np.pi * 440 * t) >= 0, 32767, -32768)
    return {
        "silence": np.zeros(n, np.int16),
        "tone_1k": _i16(level(-12) * np.sin(2 * np.pi * 1000 * t)),
        "chirp": _i16(level(-6) * np.sin(2 * np.pi * (100 * t + (7800 / 2) * t**2 / t[-1]))),
        "noise": _i16(rng.normal(0, level(-20), n)),
        "bursts": _i16(burst),
        "dc": _i16(8000 + rng.normal(0, level(-50), n)),
        "full_scale_square": square.astype(np.int16),
    }


def speech(pcm_dir: Path) -> np.ndarray:
    """The committed utterance (in `pcm_dir` or the default folder), else made by espeak-ng."""
    for path in (pcm_dir / "speech.i16", DEFAULT_OUT / "pcm" / "speech.i16"):
        if path.exists():
            return np.fromfile(path, dtype="<i2").astype(np.int16)
    from bench_app.core.stimuli.speech import speak

    samples, _ = speak(SPEECH_TEXT, RATE)
    return np.asarray(samples, np.int16)


def write_vectors(out: Path) -> list[Path]:
    """Write every file into `out`; return them."""
    pcm_dir = out / "pcm"
    pcm_dir.mkdir(parents=True, exist_ok=True)
    signals = {**stimuli(), "speech": speech(pcm_dir)}
    written, manifest = [], []
    for name, pcm in signals.items():
        path = pcm_dir / f"{name}.i16"
        path.write_bytes(pcm.astype("<i2").tobytes())
        written.append(path)
    for cfg_path in sorted(CONFIGS.glob("*.json")):
        cfg = FrontendConfig.from_json(cfg_path)
        cfg_dir = out / cfg_path.stem
        cfg_dir.mkdir(exist_ok=True)
        for name, pcm in signals.items():
            frames = np.asarray(compute_features(pcm, cfg), np.uint16)
            path = cfg_dir / f"{name}.u16"
            path.write_bytes(frames.astype("<u2").tobytes())
            written.append(path)
            manifest.append(f"{cfg_path.stem} {name} {pcm.size} {frames.shape[0]} "
                            f"{cfg.filterbank_n_channels}")  # fmt: skip
    (out / "MANIFEST.txt").write_text("\n".join(manifest) + "\n", encoding="ascii")
    written.append(out / "MANIFEST.txt")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    files = write_vectors(args.out)
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
