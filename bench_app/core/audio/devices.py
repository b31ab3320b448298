"""Sound devices as PortAudio sees them, as typed records, and one sentence when one is missing.

sounddevice (the PortAudio binding) is imported lazily, here and only here: importing it
fails with an `OSError` when the PortAudio shared library is absent, and the bench must still
start (and explain) without a sound stack. A device is named the way a user would type it: its
index, its name, a part of its name, or ``"name, host API"`` (for example ``"system, JACK"``)
when several host APIs offer a device of the same name.

PortAudio scans devices once, when it is initialised; a sound server started later (jackd in
the loopback tests) is seen only after `refresh_devices`.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Literal

from bench_app.core.errors import BenchError

Direction = Literal["input", "output"]


class AudioDeviceError(BenchError):
    """A sound device is missing, ambiguous, or refuses the requested settings."""


class PortAudioMissingError(AudioDeviceError):
    """The PortAudio library (or its Python binding) cannot be loaded."""


def sounddevice() -> types.ModuleType:
    """Import and return the `sounddevice` module, or explain in one sentence why it cannot be.

    Raises
    ------
    PortAudioMissingError
        When libportaudio2 or the sounddevice package is not installed.
    """
    try:
        import sounddevice as sd
    except OSError as exc:
        raise PortAudioMissingError(
            "PortAudio is not installed (Debian package libportaudio2)."
        ) from exc
    except ImportError as exc:
        raise PortAudioMissingError(
            "The Python package sounddevice is not installed (pip install sounddevice)."
        ) from exc
    return sd


@dataclass(frozen=True)
class HostApi:
    """One PortAudio host API (ALSA, OSS, JACK, WASAPI, Core Audio...)."""

    index: int
    name: str
    device_indices: tuple[int, ...]
    default_input: int | None
    default_output: int | None


@dataclass(frozen=True)
class AudioDevice:
    """One PortAudio device, as listed by `list_devices`.

    Attributes
    ----------
    index : int
        PortAudio's device index (valid until the next `refresh_devices`).
    name : str
        The device name, e.g. ``"system"`` for JACK or ``"pulse"`` for ALSA's PulseAudio plugin.
    host_api : str
        Name of the host API the device belongs to.
    max_input_channels, max_output_channels : int
        Channel counts; zero means the device cannot record (or play).
    default_sample_rate : float
        The device's own rate in Hz (a JACK device accepts only the server's rate).
    default_low_output_latency, default_low_input_latency : float
        PortAudio's latency estimates in seconds.
    is_default_input, is_default_output : bool
        Whether PortAudio picks this device when none is named.
    """

    index: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_sample_rate: float
    default_low_input_latency: float
    default_low_output_latency: float
    is_default_input: bool = False
    is_default_output: bool = False

    @property
    def label(self) -> str:
        """``"name, host API"``: the spelling that names this device unambiguously."""
        return f"{self.name}, {self.host_api}"

    def channels(self, direction: Direction) -> int:
        """Maximum channel count in `direction`."""
        return self.max_input_channels if direction == "input" else self.max_output_channels


def refresh_devices() -> None:
    """Re-initialise PortAudio so that it sees sound servers started since the last scan.

    Streams open at the time of the call become invalid: call it only between runs.
    """
    sd = sounddevice()
    sd._terminate()
    sd._initialize()


def list_host_apis() -> list[HostApi]:
    """Return every host API PortAudio was built with, whether or not it has devices."""
    sd = sounddevice()
    apis = []
    for index, api in enumerate(sd.query_hostapis()):
        apis.append(
            HostApi(
                index=index,
                name=api["name"],
                device_indices=tuple(api["devices"]),
                default_input=api["default_input_device"]
                if api["default_input_device"] >= 0
                else None,
                default_output=api["default_output_device"]
                if api["default_output_device"] >= 0
                else None,
            )
        )
    return apis


def list_devices(direction: Direction | None = None) -> list[AudioDevice]:
    """Return the devices PortAudio found, optionally only those that can play or record.

    Parameters
    ----------
    direction : {"input", "output"}, optional
        Keep only devices with at least one channel in this direction.
    """
    sd = sounddevice()
    apis = [api["name"] for api in sd.query_hostapis()]
    default_in, default_out = _defaults(sd)
    devices = []
    for info in sd.query_devices():
        device = AudioDevice(
            index=info["index"],
            name=info["name"],
            host_api=apis[info["hostapi"]],
            max_input_channels=info["max_input_channels"],
            max_output_channels=info["max_output_channels"],
            default_sample_rate=float(info["default_samplerate"]),
            default_low_input_latency=float(info["default_low_input_latency"]),
            default_low_output_latency=float(info["default_low_output_latency"]),
            is_default_input=info["index"] == default_in,
            is_default_output=info["index"] == default_out,
        )
        if direction is None or device.channels(direction) > 0:
            devices.append(device)
    return devices


def _defaults(sd: types.ModuleType) -> tuple[int, int]:
    """PortAudio's default input and output device indices (-1 where there is none)."""
    try:
        default_in, default_out = (int(i) for i in sd.default.device)
    except (TypeError, ValueError):
        return -1, -1
    return default_in, default_out


def find_device(spec: int | str | None, direction: Direction) -> AudioDevice:
    """Resolve what a user typed (index, name, part of a name, ``"name, host API"``) to a device.

    Parameters
    ----------
    spec : int or str or None
        ``None`` (or ``"default"``) picks PortAudio's default device for `direction`. A string
        of digits is an index. Otherwise an exact (case-insensitive) name or label wins over a
        part of one; a part that matches several devices is refused.
    direction : {"input", "output"}
        Whether the device must be able to record or to play.

    Raises
    ------
    AudioDeviceError
        When there is no such device, no device at all in `direction`, or the name is ambiguous.
    """
    devices = list_devices()
    usable = [d for d in devices if d.channels(direction) > 0]
    if not usable:
        raise AudioDeviceError(
            f"There is no audio {direction} device: PortAudio found "
            f"{_found(devices)} (host APIs: {', '.join(a.name for a in list_host_apis())}); "
            "connect a sound card or start a sound server such as PulseAudio or JACK."
        )
    if spec is None or (isinstance(spec, str) and spec.strip().lower() in ("", "default")):
        default = next((d for d in usable if _is_default(d, direction)), None)
        if default is None:
            raise AudioDeviceError(
                f"There is no default audio {direction} device; name one of: {_names(usable)}."
            )
        return default
    if isinstance(spec, str) and spec.strip().lstrip("-").isdigit():
        spec = int(spec.strip())
    if isinstance(spec, int):
        return _by_index(spec, devices, direction)
    return _by_name(spec, usable, direction)


def _by_index(index: int, devices: list[AudioDevice], direction: Direction) -> AudioDevice:
    device = next((d for d in devices if d.index == index), None)
    if device is None:
        raise AudioDeviceError(
            f"There is no audio device number {index}; the devices are numbered "
            f"0 to {len(devices) - 1}."
        )
    if device.channels(direction) == 0:
        raise AudioDeviceError(
            f"Audio device {index} ({device.label}) has no {direction} channels."
        )
    return device


def _by_name(name: str, usable: list[AudioDevice], direction: Direction) -> AudioDevice:
    wanted = " ".join(name.lower().split())
    exact = [d for d in usable if wanted in (d.name.lower(), d.label.lower())]
    if len(exact) == 1:
        return exact[0]
    partial = exact or [d for d in usable if wanted in d.label.lower()]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise AudioDeviceError(
            f"There is no audio {direction} device named {name!r}; "
            f"the {direction} devices are: {_names(usable)}."
        )
    raise AudioDeviceError(
        f"The audio {direction} device name {name!r} matches {len(partial)} devices "
        f"({_names(partial)}); give its index or its full 'name, host API'."
    )


def _is_default(device: AudioDevice, direction: Direction) -> bool:
    return device.is_default_input if direction == "input" else device.is_default_output


def _names(devices: list[AudioDevice]) -> str:
    return "; ".join(f"{d.index}: {d.label}" for d in devices)


def _found(devices: list[AudioDevice]) -> str:
    return f"only {_names(devices)}" if devices else "no device at all"


def check_settings(
    device: AudioDevice, direction: Direction, sample_rate: float, channels: int
) -> None:
    """Ask PortAudio whether `device` accepts this rate and channel count; explain if not.

    Raises
    ------
    AudioDeviceError
        When the device refuses the channel count or the sample rate.
    """
    sd = sounddevice()
    if channels > device.channels(direction):
        raise AudioDeviceError(
            f"The audio device {device.label!r} has {device.channels(direction)} "
            f"{direction} channel(s), not {channels}."
        )
    check = sd.check_output_settings if direction == "output" else sd.check_input_settings
    try:
        check(device=device.index, samplerate=sample_rate, channels=channels, dtype="float32")
    except (sd.PortAudioError, ValueError) as exc:
        raise AudioDeviceError(
            f"The audio device {device.label!r} rejects {sample_rate:g} Hz "
            f"({_reason(exc)}); it runs at {device.default_sample_rate:g} Hz."
        ) from exc


def _reason(exc: Exception) -> str:
    """PortAudio's own words, without its error-code suffix."""
    text = str(exc.args[0] if exc.args else exc)
    return text.split(" [PaErrorCode")[0].rstrip(".")
