"""What the window remembers between sessions (QSettings): device, output, level, store folder."""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANISATION = "bench-app"
APPLICATION = "bench-app"


class BenchSettings:
    """Typed access to the window's persisted settings.

    Parameters
    ----------
    path
        An INI file to use instead of the platform's settings location (tests, portable use).
    """

    def __init__(self, path: str | None = None) -> None:
        if path:
            self._q = QSettings(str(path), QSettings.Format.IniFormat)
        else:
            self._q = QSettings(ORGANISATION, APPLICATION)

    def _get(self, key: str, default):
        value = self._q.value(key, default)
        return default if value is None else value

    @property
    def last_device(self) -> str:
        """Name of the board last connected (``sim`` for the virtual board)."""
        return str(self._get("device/last", "sim"))

    @last_device.setter
    def last_device(self, value: str) -> None:
        self._q.setValue("device/last", value)

    @property
    def output_device(self) -> str:
        """Audio output for acoustic runs (``virtual`` for the virtual speaker)."""
        return str(self._get("audio/output", "virtual"))

    @output_device.setter
    def output_device(self, value: str) -> None:
        self._q.setValue("audio/output", value)

    @property
    def level_dbfs(self) -> float:
        """Playback level in dBFS."""
        try:
            return float(self._get("audio/level_dbfs", -12.0))
        except (TypeError, ValueError):
            return -12.0

    @level_dbfs.setter
    def level_dbfs(self, value: float) -> None:
        self._q.setValue("audio/level_dbfs", float(value))

    @property
    def store_dir(self) -> str:
        """Run store folder ('' = the default location)."""
        return str(self._get("store/dir", ""))

    @store_dir.setter
    def store_dir(self, value: str) -> None:
        self._q.setValue("store/dir", str(value))

    def sync(self) -> None:
        """Write pending changes to disk."""
        self._q.sync()
