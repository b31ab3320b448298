"""Find boards: the serial ports pyserial lists, the virtual boards running here, and "sim".

A Coral Dev Board Micro running coralmicro firmware enumerates as USB CDC with VID:PID
18D1:93FF (the ID coralmicro's own ``scripts/flashtool.py`` looks for); such ports are
marked ``likely_board``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: (vendor id, product id) of a Dev Board Micro's USB serial port under coralmicro firmware.
CORAL_MICRO_USB_IDS = frozenset({(0x18D1, 0x93FF)})

SIM_NAME = "sim"


@dataclass(frozen=True, slots=True)
class DeviceEntry:
    """One place a board may be reached."""

    name: str
    url: str
    kind: str  # "serial" or "virtual"
    description: str
    hwid: str = ""
    likely_board: bool = False

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return asdict(self)


def list_devices(include_virtual: bool = True) -> list[DeviceEntry]:
    """Serial ports (boards first) and, unless told not to, the virtual boards already running
    (their port paths) and ``sim`` (a virtual board started on demand)."""
    from serial.tools import list_ports

    entries = []
    for port in list_ports.comports():
        ids = (port.vid, port.pid) if port.vid is not None else None
        entries.append(
            DeviceEntry(
                name=port.device,
                url=port.device,
                kind="serial",
                description=port.description or "",
                hwid=port.hwid or "",
                likely_board=ids in CORAL_MICRO_USB_IDS,
            )
        )
    entries.sort(key=lambda e: (not e.likely_board, e.name))
    if include_virtual:
        from bench_app.core.device.emulator.process import running_emulators

        for emu in running_emulators():
            model = emu.get("model_sha256")
            entries.append(
                DeviceEntry(
                    name=str(emu["port"]),
                    url=str(emu["port"]),
                    kind="virtual",
                    description=f"running virtual Coral Micro (pid {emu.get('pid')}, "
                    f"{'model ' + str(model)[:12] if model else 'no model'})",
                )
            )
        entries.append(
            DeviceEntry(
                name=SIM_NAME,
                url=SIM_NAME,
                kind="virtual",
                description="a virtual Coral Micro started for the command (bench-app emulate)",
            )
        )
    return entries

