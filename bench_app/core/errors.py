"""Errors the bench explains to its user in one sentence.

Every error that bad input, a bad file or a misbehaving board can cause is a `BenchError`
whose message is one complete sentence naming what is wrong (and, where it helps, what to do).
The CLI prints it and exits with status 2; the window shows it in the status bar. Anything
else that escapes is a bug in the bench.
"""


class BenchError(Exception):
    """Base of the errors the bench reports to its user as one sentence."""


class ConfigError(BenchError, ValueError):
    """A configuration key is unknown, missing or out of range."""


class AudioFileError(BenchError):
    """An audio file cannot be read or converted as asked."""


class ProtocolError(BenchError):
    """Bytes on the board link do not form a valid protocol frame."""


class LinkError(BenchError):
    """The link to the board cannot be opened, or it failed."""


class DeviceError(BenchError):
    """The board answered, but not as the protocol says it must."""


class ModelFileError(ConfigError):
    """A model file (``.tflite``) or its card cannot be read, loaded or run as asked."""
