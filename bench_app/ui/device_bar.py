"""The device bar: pick a board (serial ports + the virtual board), connect, INFO, link health.

Connecting runs in a worker thread (starting the virtual board takes a second or two); the
link counters are read from ``BoardClient.stats`` every half second while connected.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from .widgets.elided_label import ElidedLabel
from .widgets.notes_label import WARN_STYLE
from .workers import Job

SIM = "sim"

HEALTH_PERIOD_MS = 500
SCAN_DELAY_MS = 1500


def device_entries() -> list[tuple[str, str]]:
    """(name, label) of every place a board may be: serial ports (boards first), then ``sim``."""
    from bench_app.core.device.discovery import list_devices

    out = []
    for entry in list_devices(include_virtual=True):
        if entry.kind == "virtual":
            label = "Virtual Coral Micro (sim)"
        else:
            label = f"{entry.name} — {entry.description or 'serial port'}"
            if entry.likely_board:
                label += " [Coral Micro]"
        out.append((entry.name, label))
    return out


def open_session(name: str, sim_args: list[str] | None = None):
    """Connect to board ``name`` (``sim`` starts a virtual board running the shipped model)."""
    from bench_app.core.runs.procedures.board_io.board_session import (
        BoardSession,
        default_model_path,
        sim_arguments,
    )

    if sim_args is None:
        sim_args = sim_arguments(None, model=default_model_path())
    return BoardSession(name, sim_args, opened_by="window").open()


def info_text(info) -> str:
    """One line describing a board from its INFO."""
    if info is None:
        return "not connected"
    from bench_app.core.model import untrained as model_untrained

    model = info.model_sha256[:8] if info.model_sha256 else "none"
    if info.model_sha256 and model_untrained(info):
        model += " UNTRAINED"
    fe = info.frontend or {}
    band = ""
    if fe:
        band = (
            f" · FE {fe.get('fe.filterbank_n_channels', '?')} ch "
            f"{fe.get('fe.filterbank_lower_band_limit', '?')}–"
            f"{fe.get('fe.filterbank_upper_band_limit', '?')} Hz"
        )
    # the model first: when the bar is narrow the tail is elided, and "UNTRAINED" must show
    head = f"model {model} · {info.board} · fw {info.firmware_version} · {info.sample_rate_hz} Hz"
    return f"{head}{band}"


def health_text(stats) -> str:
    """Link health counters in one line."""
    if stats is None:
        return ""
    return (
        f"frames {stats.frames:,} · results {stats.results:,} · drops {stats.total_drops} · "
        f"CRC err {stats.crc_errors} · reconnects {stats.reconnects}"
    )


class DeviceBar(QWidget):
    """Device picker with Connect / Disconnect, the board's INFO and live link health.

    Signals
    -------
    connected(session)
        The board answered HELLO; ``session.client`` is ready.
    disconnected()
        The link was closed from the bar.
    error(exception, details)
        Connecting failed.
    """

    connected = Signal(object)
    disconnected = Signal()
    error = Signal(object, str)

    def __init__(self, parent: QWidget | None = None, sim_args: list[str] | None = None):
        super().__init__(parent)
        #: The connected `BoardSession` (runs.procedures.board_io), or None.
        self.session = None
        self._sim_args = sim_args
        self._job: Job | None = None
        self._scan: Job | None = None
        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(20)
        self.combo.setToolTip("Serial ports that may hold a board, and the virtual board")
        self.refresh_button = QPushButton("↻")
        self.refresh_button.setToolTip("Look for boards again")
        self.refresh_button.setFixedWidth(32)
        self.connect_button = QPushButton("Connect")
        self.disconnect_button = QPushButton("Disconnect")
        self.info_button = QPushButton("INFO…")
        self.info_button.setToolTip("The board's full INFO reply and link counters")
        self.info_button.clicked.connect(self.show_info)
        # INFO gives way (elided, whole in its tooltip); the live counters keep their room
        self.info_label = ElidedLabel("not connected", tooltip_prefix="The board's INFO: ")
        self.health_label = QLabel("")
        self.health_label.setSizePolicy(QSizePolicy.Policy.Minimum,
                                        QSizePolicy.Policy.Preferred)
        self.health_label.setToolTip("Link health since connecting: FRAME and RESULT messages "
                                     "received, messages lost (sequence gaps), CRC errors, "
                                     "reconnects of the port")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(QLabel("Board:"))
        for w in (self.combo, self.refresh_button, self.connect_button, self.disconnect_button,
                  self.info_button):
            layout.addWidget(w)
        layout.addSpacing(12)
        layout.addWidget(self.info_label, 1)
        layout.addWidget(self.health_label)
        self.refresh_button.clicked.connect(self.refresh)
        self.connect_button.clicked.connect(lambda: self.connect_to(self.selected()))
        self.disconnect_button.clicked.connect(self.disconnect)
        self._timer = QTimer(self)
        self._timer.setInterval(HEALTH_PERIOD_MS)
        self._timer.timeout.connect(self.update_health)
        self.combo.addItem("Virtual Coral Micro (sim)", SIM)
        # the port scan waits until the window is up (it may import a lot, see refresh)
        QTimer.singleShot(SCAN_DELAY_MS, self.refresh)
        self._set_state("idle")

    def refresh(self) -> None:
        """List the ports and the virtual board again (in a worker thread), keeping the choice.

        Until the list arrives the virtual board is offered, so the window never waits for a
        slow port scan.
        """
        if self._scan is not None:
            return
        self._scan = Job(device_entries, self, serial=True)
        self._scan.done.connect(self._fill)
        self._scan.failed.connect(self._scan_failed)
        self._scan.start()

    def _scan_failed(self, exc, details: str) -> None:
        self._scan = None
        self.error.emit(exc, details)  # pyserial can fail on odd systems; sim still works

    def _fill(self, entries: list[tuple[str, str]]) -> None:
        self._scan = None
        if not self.combo.isEnabled():  # connecting or connected: keep the list as it is
            return
        current = self.selected()
        self.combo.clear()
        for name, label in entries:
            self.combo.addItem(label, name)
        self.select(current or SIM)

    def select(self, name: str) -> None:
        """Select the entry ``name``, adding it if it is a port not listed (a URL, a pty)."""
        index = self.combo.findData(name)
        if index < 0:
            self.combo.addItem(name, name)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)

    def selected(self) -> str | None:
        """The selected device name."""
        return self.combo.currentData()

    def connect_to(self, name: str | None) -> None:
        """Connect to ``name`` in a worker thread (no-op while connecting or connected)."""
        if not name or self._job is not None or self.session is not None:
            return
        self.select(name)
        self._set_state("connecting")
        self.info_label.setText(f"connecting to {name}…")
        self._job = Job(lambda: open_session(name, self._sim_args), self)
        self._job.done.connect(self._on_connected)
        self._job.failed.connect(self._on_failed)
        self._job.start()

    def _on_connected(self, session) -> None:
        self._job = None
        self.session = session
        self._set_state("connected")
        self.info_label.setText(info_text(self.session.info))
        self.update_health()
        self._timer.start()
        self.connected.emit(self.session)

    def _on_failed(self, exc, details: str) -> None:
        self._job = None
        self._set_state("idle")
        self.info_label.setText("not connected")
        self.error.emit(exc, details)

    def use_sim_model(self, model: str) -> bool:
        """Restart the virtual board running ``model`` (closing the current link first).

        False while a connection is being made (try again when it is up).
        """
        if self._job is not None:
            return False
        args = list(self._sim_args or [])
        if "--model" in args:  # the new model replaces the one given before
            i = args.index("--model")
            del args[i : i + 2]
        self._sim_args = [*args, "--model", str(model)]
        self.disconnect()
        self.connect_to(SIM)
        return True

    def disconnect(self) -> None:
        """Close the link (a run using it ends as interrupted, its data kept)."""
        session, self.session = self.session, None
        if session is None:
            return
        self._timer.stop()
        session.close()
        self._set_state("idle")
        self.info_label.setText("not connected")
        self.health_label.setText("")  # no stale counters beside "not connected"
        self.disconnected.emit()

    def update_health(self) -> None:
        """Read the link counters into the health label."""
        client = self.session.client if self.session is not None else None
        stats = client.stats if client is not None else None
        self.health_label.setText(health_text(stats))
        bad = stats is not None and (stats.total_drops or stats.crc_errors)
        self.health_label.setStyleSheet(WARN_STYLE if bad else "")

    def _set_state(self, state: str) -> None:
        idle = state == "idle"
        self.combo.setEnabled(idle)
        self.refresh_button.setEnabled(idle)
        self.connect_button.setEnabled(idle)
        self.disconnect_button.setEnabled(state == "connected")
        self.info_button.setEnabled(state == "connected")

    def info_document(self) -> dict:
        """The connected board's INFO (as stored with runs) and its link counters."""
        session = self.session
        if session is None:
            return {}
        return {"info": session.describe(), "link": session.client.stats.as_dict()}

    def show_info(self) -> None:
        """A non-modal dialog with the board's INFO and link counters as JSON."""
        import json

        from PySide6.QtWidgets import QMessageBox

        doc = self.info_document()
        if not doc:
            return
        box = QMessageBox(self)
        box.setWindowTitle("Board INFO")
        box.setText(info_text(self.session.info))
        box.setDetailedText(json.dumps(doc, indent=2, default=str))
        box.setModal(False)
        box.show()
        self._info_box = box
