"""The acoustic path's primitive measurements: delay, frame lag, level, noise floor, band.

Each function takes plain arrays (int16 PCM, uint16 features) and sample positions, so it can
be checked against a known synthetic channel. Conventions (``docs/metrics.md``): a positive
delay means the board hears the stimulus later; dBFS is relative to 32767 (RMS for noise,
matching the stimulus plans' convention); gains are board over stimulus.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import signal
from scipy.stats import chi2

from bench_app.core.analysis.frontend_fn import FeatureFn, shifted, to_int16
from bench_app.core.analysis.timeline import Span, frames_inside, sample_slice

FULL_SCALE = 32767.0
#: Second word of the matched reference's seed sequence (``default_rng([seed, KEY])``).
MATCHED_NOISE_KEY = 0xA11C0


def parabolic_peak(y_minus: float, y0: float, y_plus: float) -> float:
    """Offset in ``(-0.5, 0.5)`` of the vertex of the parabola through three spaced points."""
    denom = y_minus - 2.0 * y0 + y_plus
    if denom >= 0 or not math.isfinite(denom):
        return 0.0
    return float(np.clip(0.5 * (y_minus - y_plus) / denom, -0.5, 0.5))


def pcm_delay(
    pcm: np.ndarray, stimulus: np.ndarray, min_delay: int = 0, max_delay: int | None = None
) -> tuple[int, float, float]:
    """Delay of ``stimulus`` inside ``pcm`` by FFT cross-correlation.

    Returns
    -------
    delay, fine, correlation
        The integer lag (samples) of the largest ``|xcorr|`` in ``[min_delay, max_delay]``, its
        parabolic sub-sample refinement, and the normalised correlation at that lag (1.0 for a
        pure delay and gain; lower with noise or filtering).
    """
    y = np.asarray(pcm, dtype=np.float64)
    x = np.asarray(stimulus, dtype=np.float64)
    c = np.abs(signal.correlate(y, x, mode="full", method="fft"))
    lags = signal.correlation_lags(len(y), len(x), mode="full")
    hi = len(y) - 1 if max_delay is None else max_delay
    valid = np.flatnonzero((lags >= min_delay) & (lags <= hi))
    if valid.size == 0:
        return 0, math.nan, math.nan
    k = int(valid[np.argmax(c[valid])])
    fine = float(lags[k])
    if 0 < k < len(c) - 1:
        fine += parabolic_peak(c[k - 1], c[k], c[k + 1])
    delay = int(lags[k])
    seg = shifted(y, -delay, len(x))
    norm = float(np.linalg.norm(x) * np.linalg.norm(seg))
    return delay, fine, float(c[k] / norm) if norm > 0 else math.nan


def _centred(frames: np.ndarray) -> np.ndarray:
    """Features as float with each channel's median removed (the quiet level of that channel)."""
    f = np.asarray(frames, dtype=np.float64)
    return f - np.median(f, axis=0, keepdims=True)


def _cell_correlation(a: np.ndarray, b: np.ndarray) -> float:
    x = np.asarray(a, dtype=np.float64).ravel()
    y = np.asarray(b, dtype=np.float64).ravel()
    x, y = x - x.mean(), y - y.mean()
    den = float(np.linalg.norm(x) * np.linalg.norm(y))
    return float(x @ y / den) if den > 0 else -1.0


def reference_frames(
    stimulus: np.ndarray,
    config,
    frontend: FeatureFn,
    delay: int,
    n_frames: int,
    gain: float = 1.0,
    noise_rms: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """Host features of the stimulus delayed by ``delay`` samples, scaled, plus seeded white noise.

    The signal is exactly long enough for ``n_frames`` frames, so frame ``i`` lines up with the
    board's frame ``i`` when ``delay`` is the stimulus's position on the board's frame grid.
    """
    length = config.samples_for(n_frames)
    x = gain * shifted(stimulus, delay, length)
    if noise_rms > 0:
        # A seed sequence of our own, so the noise is never the very realisation a simulator
        # seeded with the same small integer added (that would hide PCAN's noise dependence).
        rng = np.random.default_rng([seed, MATCHED_NOISE_KEY])
        x = x + rng.normal(0.0, noise_rms, length)
    return np.asarray(frontend(to_int16(x), config))


def frame_lag(
    board_frames: np.ndarray,
    stimulus: np.ndarray,
    config,
    frontend: FeatureFn,
    max_lag: int | None = None,
    refine: bool = True,
    refine_frames: int = 2000,
) -> float:
    """Lag of the board's frames behind the stimulus, in (fractional) frames, from frames alone.

    Coarse: the sum over channels of the FFT cross-correlations of each channel's features
    (median removed) of the board's frames and of the host features of the stimulus, lags
    ``0 .. max_lag``, parabolic refinement. Summing per-channel correlations, rather than
    correlating one energy envelope, keeps repeated bursts on different channels apart.
    Fine (``refine``): the host features of the stimulus delayed by candidate sample delays on
    a quarter-frame grid around the coarse lag (+-1 frame) are correlated cell by cell with the
    board's frames (the first ``refine_frames`` frames after the coarse lag, 20 s by default,
    which bounds the cost on long captures); the lag is the parabolic vertex of those
    correlations, in samples divided by the hop.
    """
    board = np.asarray(board_frames, dtype=np.float64)
    ref = np.asarray(frontend(np.asarray(stimulus, dtype=np.int16), config), dtype=np.float64)
    cb, cr = _centred(board), _centred(ref)
    c = signal.fftconvolve(cb, cr[::-1], mode="full", axes=0).sum(axis=1)
    lags = signal.correlation_lags(len(cb), len(cr), mode="full")
    hi = len(cb) - 1 if max_lag is None else max_lag
    valid = np.flatnonzero((lags >= 0) & (lags <= hi))
    k = int(valid[np.argmax(c[valid])])
    coarse = float(lags[k])
    if 0 < k < len(c) - 1:
        coarse += parabolic_peak(c[k - 1], c[k], c[k + 1])
    if not refine:
        return coarse
    step = config.step_samples
    quarter = max(1, step // 4)
    centre = int(round(coarse * step))
    candidates = [max(0, centre + j * quarter) for j in range(-4, 5)]
    n = min(len(board), int(coarse) + 2 + refine_frames)
    scores = [
        _cell_correlation(board[:n], reference_frames(stimulus, config, frontend, d, n))
        for d in candidates
    ]
    j = int(np.argmax(scores))
    best = float(candidates[j])
    if 0 < j < len(scores) - 1:
        best += quarter * parabolic_peak(scores[j - 1], scores[j], scores[j + 1])
    return best / step


def noise_floor(
    pcm: np.ndarray, delay: int, quiet: list[Span], margin: int, block: int = 320,
    quantile: float = 0.1,
) -> tuple[float, float, int]:
    """RMS noise floor of the PCM over the silent spans (stimulus samples + ``delay``).

    Each span is shrunk by ``margin`` samples at both ends and its own mean removed (DC is not
    noise), then cut into blocks of ``block`` samples. The floor is the ``quantile`` of the
    block powers divided by the same quantile of a stationary Gaussian noise's block power
    (``chi2.ppf(quantile, block) / block``), so white noise reads its true power while the tails
    of a room or a filter, which fill the start of each gap, do not raise it. With fewer than 8
    blocks, the mean power of all samples is used. Returns ``(dBFS, power, samples used)``;
    dBFS is ``10 log10(power / 32767**2)``.
    """
    y = np.asarray(pcm, dtype=np.float64)
    powers: list[np.ndarray] = []
    total, count = 0.0, 0
    for span in quiet:
        seg = y[sample_slice(span.start + delay, span.end + delay, len(y), margin)]
        if seg.size:
            seg = seg - seg.mean()
            total += float(np.sum(seg**2))
            count += seg.size
            n = seg.size // block
            if n:
                powers.append(np.mean(seg[: n * block].reshape(n, block) ** 2, axis=1))
    if count == 0:
        return math.nan, math.nan, 0
    blocks = np.concatenate(powers) if powers else np.zeros(0)
    if blocks.size >= 8:
        power = float(np.quantile(blocks, quantile)) / (chi2.ppf(quantile, block) / block)
    else:
        power = total / count
    dbfs = 10 * math.log10(power / FULL_SCALE**2) if power > 0 else -math.inf
    return dbfs, power, count


def burst_gains_db(
    pcm: np.ndarray,
    stimulus: np.ndarray,
    delay: int,
    tones: list[Span],
    margin: int,
    noise_power: float = 0.0,
) -> list[float]:
    """Per burst: ``10 log10((P_board - P_noise) / P_stimulus)`` over the aligned burst samples.

    ``P`` is the mean square (board: mean removed) over the burst shrunk by ``margin`` samples;
    the noise power is subtracted so a noisy board does not read louder. NaN where the board's
    power does not exceed the noise.
    """
    y = np.asarray(pcm, dtype=np.float64)
    x = np.asarray(stimulus, dtype=np.float64)
    out: list[float] = []
    for span in tones:
        xs = x[sample_slice(span.start, span.end, len(x), margin)]
        ys = y[sample_slice(span.start + delay, span.end + delay, len(y), margin)]
        n = min(len(xs), len(ys))
        if n == 0:
            continue
        px = float(np.mean(xs[:n] ** 2))
        py = float(np.mean((ys[:n] - ys[:n].mean()) ** 2)) - (noise_power or 0.0)
        out.append(10 * math.log10(py / px) if py > 0 and px > 0 else math.nan)
    return out


def features_per_db(config) -> float:
    """Feature units per dB of amplitude for a log-scaled front end: ``2**shift * ln(10) / 20``.

    Exact with noise reduction and PCAN off (the log of the filterbank amplitude scaled by
    ``2**log_scale_shift``); with them on, the features respond less than this to a level step.
    """
    return 2.0 ** int(config.log_scale_shift) * math.log(10.0) / 20.0


def channel_response_db(
    board: np.ndarray,
    reference: np.ndarray,
    tones: list[Span],
    config,
    margin_frames: int = 1,
) -> np.ndarray:
    """Per channel: mean (board - reference) feature level over that channel's bursts, in dB.

    ``tones`` are in the frames' sample grid (frame ``i`` covers ``[i*step, i*step+window)``);
    only bursts with a ``channel`` count; frames whose window lies inside the burst less
    ``margin_frames`` hops at each end are used. NaN for channels with no burst.
    """
    n_ch = board.shape[1]
    step, window = config.step_samples, config.window_samples
    per_db = features_per_db(config) if config.log_scale_enable else math.nan
    sums, counts = np.zeros(n_ch), np.zeros(n_ch)
    n = min(len(board), len(reference))
    for span in tones:
        c = span.channel
        if c is None or not 0 <= c < n_ch:
            continue
        idx = frames_inside(span.start, span.end, n, step, window, margin_frames * step)
        if idx.size == 0:
            continue
        diff = board[idx, c].astype(np.float64).mean() - reference[idx, c].astype(np.float64).mean()
        sums[c] += diff / per_db
        counts[c] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def channel_centres_hz(config) -> np.ndarray:
    """Centre frequency of each filterbank channel (TFLM's mel scale ``1127 ln(1 + f/700)``)."""
    lo = 1127.0 * math.log1p(config.filterbank_lower_band_limit / 700.0)
    hi = 1127.0 * math.log1p(config.filterbank_upper_band_limit / 700.0)
    n = config.filterbank_n_channels
    mel = lo + (hi - lo) / (n + 1) * np.arange(1, n + 1)
    return 700.0 * np.expm1(mel / 1127.0)
