"""The acoustic channel between the (virtual) speaker and the virtual board's microphone.

A seeded, stateful, streaming model: feed int16 speaker audio in chunks of any size and get the
int16 samples the board's microphone path would deliver. The stages, in signal order:

1. reverb: ``ir=FILE.wav`` or ``room=small|medium|large`` (a synthetic seeded IR: a unit direct
   path followed by exponentially decaying noise), streamed by overlap-add;
2. speaker + microphone response: ``bandpass_hz=LO-HI``, a 4th-order Butterworth band-pass;
3. ``gain_db``: an exact linear gain;
4. ``delay_ms``: an exact integer delay of ``round(delay_ms * rate / 1000)`` samples;
5. ``noise_dbfs``: additive white Gaussian noise at that RMS level (``off`` for none); the
   microphone hears it even when nothing plays, as a real one does;
6. ``clock_ppm``: the board's sample clock offset, a linear-interpolation resampler by
   ``1 + ppm * 1e-6`` (the board delivers that many more samples per speaker sample);
7. ``dc_remover=on|off``: the board's hardware DC remover, a one-pole high-pass at 152 Hz;
8. the SDK path: PDM samples as int32 (full scale 2**31), shifted right by 16 to int16.

Levels in dBFS are ``20 * log10(rms / 32768)`` (a full-scale square wave is 0 dBFS). With the
defaults (no reverb, no band-pass, 0 dB, no delay, ``noise_dbfs=off``, no clock offset, DC
remover off) the channel is the identity on int16 audio.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
from scipy import signal

from bench_app.core.errors import ConfigError

DC_REMOVER_HZ = 152.0
ROOMS = {"small": (0.25, 12.0), "medium": (0.5, 6.0), "large": (0.9, 2.0)}  # RT60 s, DRR dB


@dataclasses.dataclass(frozen=True)
class ChannelConfig:
    """Settings of the acoustic channel (the ``--channel k=v,...`` keys)."""

    delay_ms: float = 0.0
    gain_db: float = 0.0
    bandpass_hz: tuple[float, float] | None = None
    noise_dbfs: float | None = None
    ir: str | None = None
    room: str | None = None
    clock_ppm: float = 0.0
    dc_remover: bool = False
    seed: int = 0

    @classmethod
    def parse(cls, text: str) -> ChannelConfig:
        """Parse ``"delay_ms=137,gain_db=-6,..."``; raise `ConfigError` naming a bad key."""
        values: dict[str, object] = {}
        for item in filter(None, (p.strip() for p in (text or "").split(","))):
            key, sep, raw = item.partition("=")
            key, raw = key.strip(), raw.strip()
            if not sep or key not in _PARSERS:
                known = ", ".join(sorted(_PARSERS))
                raise ConfigError(f"Unknown channel key {key!r} (known keys: {known}).")
            try:
                values[key] = _PARSERS[key](raw)
            except (ValueError, TypeError) as exc:
                raise ConfigError(f"Bad value {raw!r} for channel key {key!r}: {exc}.") from None
        cfg = cls(**values)
        cfg.validate()
        return cfg

    def validate(self, sample_rate: int = 16000) -> None:
        """Raise `ConfigError` if a value is out of range for ``sample_rate``."""
        if self.delay_ms < 0:
            raise ConfigError("Channel key 'delay_ms' must be zero or positive.")
        if self.ir and self.room:
            raise ConfigError("Channel keys 'ir' and 'room' cannot both be set.")
        if self.room is not None and self.room not in ROOMS:
            raise ConfigError(f"Channel key 'room' must be one of {', '.join(ROOMS)}.")
        if self.bandpass_hz is not None:
            lo, hi = self.bandpass_hz
            if not 0 < lo < hi < sample_rate / 2:
                raise ConfigError(
                    f"Channel key 'bandpass_hz' needs 0 < LO < HI < {sample_rate // 2} Hz."
                )
        if not -1e4 < self.clock_ppm < 1e4:
            raise ConfigError("Channel key 'clock_ppm' must lie within +/-10000 ppm.")
        if self.ir and not Path(self.ir).is_file():
            raise ConfigError(f"Channel key 'ir': no such file {self.ir}.")

    def to_dict(self) -> dict:
        """JSON-ready form (for the board's INFO and the run's record)."""
        d = dataclasses.asdict(self)
        if self.bandpass_hz is not None:
            d["bandpass_hz"] = list(self.bandpass_hz)
        return d


def _band(raw: str) -> tuple[float, float]:
    lo, sep, hi = raw.partition("-")
    if not sep:
        raise ValueError("expected LO-HI in Hz, e.g. 100-7000")
    return float(lo), float(hi)


def _noise(raw: str) -> float | None:
    return None if raw.lower() in ("off", "none") else float(raw)


def _on_off(raw: str) -> bool:
    if raw.lower() not in ("on", "off"):
        raise ValueError("expected on or off")
    return raw.lower() == "on"


def _finite(raw: str) -> float:
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError("expected a finite number")
    return value


_PARSERS = {
    "delay_ms": _finite,
    "gain_db": _finite,
    "bandpass_hz": _band,
    "noise_dbfs": _noise,
    "ir": str,
    "room": str,
    "clock_ppm": _finite,
    "dc_remover": _on_off,
    "seed": int,
}


def room_ir(room: str, sample_rate: int, seed: int) -> np.ndarray:
    """Synthetic room impulse response: a unit direct path, then seeded decaying noise."""
    rt60, drr_db = ROOMS[room]
    rng = np.random.default_rng([seed, 0x1E])
    n = int(rt60 * sample_rate)
    t = np.arange(n) / sample_rate
    tail = rng.standard_normal(n) * np.exp(-6.908 * t / rt60)
    gap = int(0.003 * sample_rate)  # first reflection 3 ms after the direct sound
    tail[:gap] = 0.0
    tail *= 10 ** (-drr_db / 20) / np.sqrt(np.sum(tail**2))
    tail[0] = 1.0
    return tail


def _load_ir(path: str, sample_rate: int) -> np.ndarray:
    from bench_app.core.audio_files import read_audio

    ir = read_audio(path, channel=0 if _channels(path) > 1 else None, sample_rate=sample_rate)
    return ir.samples.astype(np.float64) / 32768.0


def _channels(path: str) -> int:
    import soundfile

    try:
        return soundfile.info(path).channels
    except RuntimeError:
        return 1  # read_audio explains what is wrong with the file


class Channel:
    """Stateful streaming channel: `process` int16 chunks, get the microphone's int16 samples.

    Parameters
    ----------
    config : ChannelConfig
        The channel settings.
    sample_rate : int
        Sample rate of both ends in Hz.
    """

    def __init__(self, config: ChannelConfig, sample_rate: int = 16000):
        config.validate(sample_rate)
        self.config = config
        self.sample_rate = sample_rate
        self._rng = np.random.default_rng(config.seed)
        self._gain = 10 ** (config.gain_db / 20)
        self.delay_samples = int(round(config.delay_ms * sample_rate / 1000))
        self._delay_line = np.zeros(self.delay_samples)
        self._noise_rms = None if config.noise_dbfs is None else 10 ** (config.noise_dbfs / 20)
        self._ir = None
        if config.room:
            self._ir = room_ir(config.room, sample_rate, config.seed)
        elif config.ir:
            self._ir = _load_ir(config.ir, sample_rate)
        self._ir_tail = np.zeros(0 if self._ir is None else len(self._ir) - 1)
        self._sos = self._sos_zi = None
        if config.bandpass_hz:
            self._sos = signal.butter(
                4, config.bandpass_hz, btype="bandpass", fs=sample_rate, output="sos"
            )
            self._sos_zi = np.zeros((self._sos.shape[0], 2))
        self._step = 1.0 / (1.0 + config.clock_ppm * 1e-6)
        self._rs_prev, self._rs_pos = 0.0, 1.0
        self._dc = None
        if config.dc_remover:
            b, a = signal.butter(1, DC_REMOVER_HZ, btype="highpass", fs=sample_rate)
            self._dc = (b, a, np.zeros(1))

    def process(self, pcm: np.ndarray) -> np.ndarray:
        """Pass int16 speaker samples through the channel; return the microphone's int16 samples.

        The output has the input's length, except with ``clock_ppm`` (longer for a fast clock).
        """
        x = np.asarray(pcm, dtype=np.float64) / 32768.0
        if self._ir is not None:
            x = self._reverb(x)
        if self._sos is not None:
            x, self._sos_zi = signal.sosfilt(self._sos, x, zi=self._sos_zi)
        x = x * self._gain
        if self.delay_samples:
            joined = np.concatenate([self._delay_line, x])
            x, self._delay_line = joined[: len(x)], joined[len(x) :]
        if self._noise_rms is not None:
            x = x + self._rng.standard_normal(len(x)) * self._noise_rms
        if self._step != 1.0:
            x = self._resample(x)
        if self._dc is not None:
            b, a, zi = self._dc
            x, zi = signal.lfilter(b, a, x, zi=zi)
            self._dc = (b, a, zi)
        return pdm_to_int16(x)

    def silence(self, n: int) -> np.ndarray:
        """What the microphone hears for ``n`` speaker samples of silence (the noise floor)."""
        return self.process(np.zeros(n, dtype=np.int16))

    def _reverb(self, x: np.ndarray) -> np.ndarray:
        y = signal.oaconvolve(x, self._ir) if len(x) else np.zeros(len(self._ir) - 1)
        y[: len(self._ir_tail)] += self._ir_tail
        out, self._ir_tail = y[: len(x)], y[len(x) :]
        return out

    def _resample(self, x: np.ndarray) -> np.ndarray:
        buf = np.concatenate([[self._rs_prev], x])
        last = len(buf) - 1
        k = max(0, math.ceil((last - self._rs_pos) / self._step))
        pos = self._rs_pos + np.arange(k) * self._step
        out = np.interp(pos, np.arange(len(buf)), buf)
        self._rs_pos = self._rs_pos + k * self._step - last
        self._rs_prev = buf[-1]
        return out


def pdm_to_int16(x: np.ndarray) -> np.ndarray:
    """Float audio (full scale 1.0) -> the PDM path's int32 samples -> ``>> 16`` -> int16."""
    pdm = np.clip(np.floor(x * 2.0**31), -(2.0**31), 2.0**31 - 1).astype(np.int32)
    return (pdm >> 16).astype(np.int16)
