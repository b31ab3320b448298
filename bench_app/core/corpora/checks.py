"""Reading label text and vetting audio files for the corpus readers, problems recorded.

Both functions append a `Problem` instead of raising: a corpus folder with a damaged file or a
label file saved on Windows is still read, and the user sees every item that was skipped or
read with a caveat, with the reason.
"""

from __future__ import annotations

from pathlib import Path

from bench_app.core.audio_files import AudioInfo, probe_audio
from bench_app.core.corpora.model import Problem
from bench_app.core.errors import AudioFileError

_BOM = b"\xef\xbb\xbf"


def read_text_lines(path: Path, problems: list[Problem]) -> list[tuple[int, str]] | None:
    """Return ``(line_number, text)`` for every line of a label file, or None if unreadable.

    A UTF-8 byte-order mark, CRLF or lone-CR line endings and bytes that are not UTF-8 are
    recorded as problems (the file is still read; undecodable bytes become U+FFFD, so the
    lines holding them show up as garbled where they matter).
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(str(path), None, f"cannot be read ({exc.strerror or exc})."))
        return None
    if raw.startswith(_BOM):
        raw = raw[len(_BOM):]
        problems.append(Problem(str(path), None, "starts with a UTF-8 byte-order mark; "
                                "read anyway.", skipped=False))
    if b"\r\n" in raw:
        problems.append(Problem(str(path), None, "has CRLF (Windows) line endings; read "
                                "anyway.", skipped=False))
    elif b"\r" in raw:
        problems.append(Problem(str(path), None, "has CR (old Mac) line endings; read "
                                "anyway.", skipped=False))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = raw.decode("utf-8", errors="replace")
        problems.append(Problem(str(path), None, f"is not valid UTF-8 (first bad byte at "
                                f"offset {exc.start}); bad bytes replaced.", skipped=False))
    return list(enumerate(text.splitlines(), start=1))


def vet_audio(path: Path, problems: list[Problem], sample_rate: int = 16000,
              channel: int | None = None) -> AudioInfo | None:
    """Check a clip's audio file from its header; return its info, or None if it is unusable.

    Unusable (problem, skipped): missing, empty, not audio, truncated, no samples, or several
    channels when no ``channel`` is chosen (a corpus clip must say which channel is the
    speaker). Usable with a caveat (problem, not skipped): another sample rate (`read_audio`
    resamples it) or a sample format other than 16-bit PCM.
    """
    try:
        info = probe_audio(path)
    except AudioFileError as exc:
        problems.append(Problem(str(path), None, _strip_path(str(exc), path)))
        return None
    if channel is None and info.channels != 1:
        problems.append(Problem(str(path), None, f"has {info.channels} channels, but a clip "
                                "must be mono (which channel is the speaker is unknown)."))
        return None
    if channel is not None and channel >= info.channels:
        problems.append(Problem(str(path), None, f"has {info.channels} channel(s), so its "
                                f"channel {channel} does not exist."))
        return None
    if info.sample_rate != sample_rate:
        problems.append(Problem(str(path), None, f"is sampled at {info.sample_rate} Hz, not "
                                f"{sample_rate} Hz; it is resampled when read.", skipped=False))
    return info


def _strip_path(message: str, path: Path) -> str:
    """An audio error sentence without the path the `Problem` already carries."""
    for form in ("Audio file " + str(path), str(path)):
        if message.startswith(form):
            rest = message[len(form):].strip()
            return rest or message
    return message
