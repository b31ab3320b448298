"""Audio file input and output for the whole bench: any WAV or FLAC in, 16-bit PCM out.

Every part of the bench (front end, stimuli, runs, corpora) reads audio through
`read_audio`, so that one place decides how a file becomes the bench's int16 mono signal at
16 kHz and one place explains, in a sentence, why a file cannot be used. libsndfile (through
soundfile) does the decoding; this module adds what it leaves out: a check that a WAV file
holds all the samples its header promises (libsndfile silently reads a truncated WAV), a
choice of channel, conversion of 8/24/32-bit and float samples to int16 with clipping counted,
and resampling with `scipy.signal.resample_poly`.
"""

from __future__ import annotations

import math
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench_app.core.errors import AudioFileError
from bench_app.core.input_limits import check_audio_size

#: WAV writers that stream to a pipe cannot know the data length and write one of these
#: placeholders (espeak-ng writes 0x7FFFF000); such a header is read to the end of the file.
_STREAMED_SIZE_MIN = 0x7F000000

_INT16_MIN, _INT16_MAX = -32768, 32767

#: Subtypes decoded as float (they can exceed full scale, so clipping is counted).
_FLOAT_SUBTYPES = frozenset({"FLOAT", "DOUBLE", "VORBIS", "OPUS", "MPEG_LAYER_III"})


@dataclass(frozen=True)
class AudioClip:
    """A mono int16 signal read from a file, with what was done to it on the way.

    Attributes
    ----------
    samples : numpy.ndarray
        1-D int16 samples.
    sample_rate : int
        Sample rate of ``samples`` in Hz (the rate asked of `read_audio`).
    notes : tuple of str
        One sentence per conversion applied (channel taken, bit depth, resampling, clipping);
        the CLI prints them so that no conversion goes unnoticed.
    clipped : int
        Number of output samples that had to be clipped to the int16 range.
    source : str
        The file the samples came from.
    """

    samples: np.ndarray
    sample_rate: int
    notes: tuple[str, ...]
    clipped: int
    source: str


def read_audio(path, channel: int | None = None, sample_rate: int = 16000) -> AudioClip:
    """Read an audio file as mono int16 at ``sample_rate`` Hz.

    Parameters
    ----------
    path : str or os.PathLike
        A WAV or FLAC file (any format libsndfile reads is accepted).
    channel : int, optional
        Channel to take from a file with several, numbered from 0. Required for such files;
        a mono file accepts only 0.
    sample_rate : int
        Rate of the returned samples; a file at another rate is resampled (with a note).

    Returns
    -------
    AudioClip

    Raises
    ------
    AudioFileError
        One sentence naming the file and what is wrong with it: missing, empty, not audio,
        truncated, no samples, several channels without ``channel``, or ``channel`` out of range.
    """
    import soundfile as sf

    path = Path(path)
    _check_file(path)
    _check_wav_length(path)
    try:
        info = sf.info(_native(path))
    except (sf.SoundFileError, RuntimeError) as exc:
        reason = _libsndfile_reason(exc)
        raise AudioFileError(f"{path} is not a readable audio file ({reason}).") from None
    if info.frames <= 0:
        raise AudioFileError(f"{path} holds no audio samples.")
    check_audio_size(path, info.samplerate, info.frames)  # before decoding or resampling

    notes: list[str] = []
    index = _choose_channel(path, info.channels, channel)
    if info.channels > 1:
        notes.append(f"took channel {index} of the {info.channels} channels in {path.name}")

    float_input = info.subtype in _FLOAT_SUBTYPES
    dtype = "float64" if float_input else "int32"
    try:
        data, _ = sf.read(_native(path), dtype=dtype, always_2d=True)
    except (sf.SoundFileError, RuntimeError) as exc:
        reason = _libsndfile_reason(exc)
        raise AudioFileError(f"{path} is damaged or truncated ({reason}).") from None
    if data.shape[0] < info.frames:
        raise AudioFileError(
            f"{path} is truncated: its header promises {info.frames} samples but only "
            f"{data.shape[0]} could be read."
        )
    column = data[:, index]

    clipped = 0
    if float_input:
        samples, clipped = _float_to_int16(column)
        not_numbers = int(np.count_nonzero(np.isnan(column)))
        if not_numbers:
            notes.append(f"{not_numbers} samples were NaN (not a number) and were set to 0")
        notes.append(f"converted {info.subtype_info} samples to 16-bit PCM")
        if clipped:
            notes.append(f"{clipped} samples beyond +/-1.0 were clipped to the int16 range")
    else:
        # soundfile scales every integer format to the top of int32; an arithmetic shift by 16
        # is exact for 8 and 16 bits and truncates deeper formats as the board's PDM path does.
        samples = (column >> 16).astype(np.int16)
        if info.subtype != "PCM_16":
            notes.append(f"converted {info.subtype_info} samples to 16-bit PCM")

    if info.samplerate != sample_rate:
        samples, extra = _resample(samples, info.samplerate, sample_rate)
        notes.append(f"resampled from {info.samplerate} Hz to {sample_rate} Hz")
        if extra:
            notes.append(f"{extra} samples were clipped to the int16 range after resampling")
        clipped += extra
    return AudioClip(
        samples=samples,
        sample_rate=int(sample_rate),
        notes=tuple(notes),
        clipped=int(clipped),
        source=str(path),
    )


@dataclass(frozen=True)
class AudioInfo:
    """What a file's header says, checked the way `read_audio` checks it (no samples read).

    Attributes
    ----------
    sample_rate, channels, frames : int
        Rate in Hz, channel count and samples per channel.
    subtype : str
        libsndfile's subtype name (``PCM_16``, ``FLOAT``, ...).
    """

    sample_rate: int
    channels: int
    frames: int
    subtype: str

    @property
    def seconds(self) -> float:
        """Duration in seconds."""
        return self.frames / self.sample_rate


def probe_audio(path) -> AudioInfo:
    """Check a file as `read_audio` would (missing, empty, not audio, truncated) from its header.

    Used where many files must be vetted quickly (corpus readers): reading the header is enough
    to find the files `read_audio` would refuse for their form, without decoding the samples.

    Raises
    ------
    AudioFileError
        The same one-sentence reasons as `read_audio`.
    """
    import soundfile as sf

    path = Path(path)
    _check_file(path)
    _check_wav_length(path)
    try:
        info = sf.info(str(path))
    except (sf.SoundFileError, RuntimeError) as exc:
        reason = _libsndfile_reason(exc)
        raise AudioFileError(f"{path} is not a readable audio file ({reason}).") from None
    if info.frames <= 0:
        raise AudioFileError(f"{path} holds no audio samples.")
    return AudioInfo(int(info.samplerate), int(info.channels), int(info.frames), info.subtype)


def write_wav(path, samples_int16, sample_rate: int = 16000) -> None:
    """Write mono int16 samples as a 16-bit PCM WAV file.

    Raises
    ------
    AudioFileError
        If ``samples_int16`` is not a 1-D int16 array or the file cannot be written.
    """
    import soundfile as sf

    path = Path(path)
    samples = np.asarray(samples_int16)
    if samples.dtype != np.int16 or samples.ndim != 1:
        raise AudioFileError(
            f"Cannot write {path}: samples must be a 1-D int16 array, not {samples.ndim}-D "
            f"{samples.dtype}."
        )
    if not path.parent.is_dir():
        raise AudioFileError(f"Cannot write {path}: the folder {path.parent} does not exist.")
    try:
        sf.write(_native(path), samples, int(sample_rate), subtype="PCM_16", format="WAV")
    except (sf.SoundFileError, RuntimeError, OSError) as exc:
        reason = _libsndfile_reason(exc)
        raise AudioFileError(f"Cannot write {path} ({reason}).") from None


def _native(path: Path) -> bytes:
    """The path as the bytes the OS knows it by: libsndfile then opens names that are not UTF-8."""
    return os.fsencode(path)


def _check_file(path: Path) -> None:
    """Refuse a path that is missing, not a regular file, or empty, before libsndfile sees it."""
    if not path.exists():
        raise AudioFileError(f"Audio file {path} does not exist.")
    if not path.is_file():
        raise AudioFileError(f"{path} is not a file, so it cannot be read as audio.")
    if path.stat().st_size == 0:
        raise AudioFileError(f"{path} is empty (0 bytes), so it holds no audio.")


def _check_wav_length(path: Path) -> None:
    """Raise if a RIFF WAV file has no data chunk, or a shorter one than its header says.

    libsndfile quietly shortens the sample count to what the file holds, which would let a
    half-copied recording pass as a short one.
    """
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return  # RF64, W64 and others: libsndfile's own checks apply
        offset = 12
        while offset + 8 <= size:
            f.seek(offset)
            chunk_id, chunk_size = struct.unpack("<4sI", f.read(8))
            if chunk_id == b"data":
                available = size - offset - 8
                streamed = chunk_size == 0 or chunk_size >= _STREAMED_SIZE_MIN
                if not streamed and chunk_size > available:
                    raise AudioFileError(
                        f"{path} is truncated: its WAV header announces {chunk_size} bytes of "
                        f"samples but the file holds only {available}."
                    )
                return
            offset += 8 + chunk_size + (chunk_size & 1)
    raise AudioFileError(f"{path} is truncated or damaged: no sample data follows its WAV header.")


def _choose_channel(path: Path, n_channels: int, channel: int | None) -> int:
    """Return the 0-based channel index to read, or raise with the channel count."""
    if channel is None:
        if n_channels == 1:
            return 0
        raise AudioFileError(
            f"{path} has {n_channels} channels; choose one with --channel N "
            f"(numbered from 0 to {n_channels - 1})."
        )
    if not 0 <= channel < n_channels:
        which = "only channel 0" if n_channels == 1 else f"channels 0 to {n_channels - 1}"
        raise AudioFileError(
            f"{path} has {n_channels} channel{'s' if n_channels > 1 else ''}, so channel "
            f"{channel} does not exist (it has {which})."
        )
    return channel


def _float_to_int16(x: np.ndarray) -> tuple[np.ndarray, int]:
    """Scale float samples (full scale +/-1.0) to int16, counting samples beyond +/-1.0.

    The scale is 32768, the inverse of how libsndfile reads int16 as float, so an int16 file
    converted to float comes back unchanged; +1.0 itself saturates to 32767 (int16's range is
    asymmetric) and is not counted as clipped. NaN becomes 0.
    """
    x = np.nan_to_num(x, nan=0.0, posinf=2.0, neginf=-2.0)
    clipped = int(np.count_nonzero(np.abs(x) > 1.0))
    scaled = np.clip(np.rint(x * 32768.0), _INT16_MIN, _INT16_MAX)
    return scaled.astype(np.int16), clipped


def _resample(samples: np.ndarray, rate_in: int, rate_out: int) -> tuple[np.ndarray, int]:
    """Resample int16 samples with a polyphase filter; return them and the clipped count."""
    from scipy.signal import resample_poly

    g = math.gcd(int(rate_in), int(rate_out))
    y = resample_poly(samples.astype(np.float64), rate_out // g, rate_in // g)
    y = np.rint(y)
    clipped = int(np.count_nonzero((y > _INT16_MAX) | (y < _INT16_MIN)))
    return np.clip(y, _INT16_MIN, _INT16_MAX).astype(np.int16), clipped


def _libsndfile_reason(exc: BaseException) -> str:
    """libsndfile's own words for a failure, without the file name it repeats."""
    text = str(getattr(exc, "error_string", "") or exc).strip().rstrip(".")
    if ":" in text and text.lower().startswith("error"):
        text = text.split(":", 1)[1].strip()
    text = text.replace(". ", "; ")
    return text[:1].lower() + text[1:] if text else "unknown error"
