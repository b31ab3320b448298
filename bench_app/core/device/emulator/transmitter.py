"""The virtual board's transmit path: sequence numbers, faults, and the port.

Every message gets the next sequence number of its stream, then the faults decide its fate:
lost while the port is down (a reset) or no host has it open (a CDC board discards output
until the host opens the port), dropped, or corrupted on the wire; `FaultStats` records
each loss with its stream and sequence number. A message that finds no room in the pty in time
(only in real time: a board's transmit queue is short) is a transmit overflow, which the board
reports in HEARTBEAT as firmware would.
"""

from __future__ import annotations

from bench_app.core.device.emulator.faults import FaultInjector, FaultStats
from bench_app.core.device.emulator.pty_port import PtyPort
from bench_app.core.device.protocol import Stream, encode

#: Streams whose messages the ``drop`` fault may take (data, not control).
DATA_STREAMS = frozenset({Stream.FRAMES, Stream.PCM, Stream.RESULTS})


class Transmitter:
    """Encode, number, fault and write board messages.

    Parameters
    ----------
    port : PtyPort
        Where the bytes go.
    faults : FaultInjector
        The configured faults (also holds the `FaultStats` ledger).
    write_timeout : float or None
        Seconds to wait for room in the pty (None: forever, for ``--fast`` backpressure).
    """

    def __init__(self, port: PtyPort, faults: FaultInjector, write_timeout: float | None):
        self.port = port
        self.faults = faults
        self.stats: FaultStats = faults.stats
        self.write_timeout = write_timeout
        self._seq = {s: 0 for s in Stream}
        self._overflowing = False

    def send(self, msg) -> None:
        """Send one board -> host message (or account for its loss)."""
        stream = msg.STREAM
        seq = self._seq[stream]
        self._seq[stream] = (seq + 1) & 0xFFFFFFFF
        name = stream.name
        self.stats.note_sent(name)
        if not self.port.up:
            self.stats.note_lost("lost_in_reset", name, seq)
            return
        if not self.port.host_attached():
            self.stats.note_lost("no_host", name, seq)
            return
        if self.faults.should_drop(name, seq, stream in DATA_STREAMS):
            return
        frame = self.faults.corrupt(encode(msg, seq), name, seq)
        # While the host is not reading, a full queue drops at once (as a board's would),
        # instead of waiting the write timeout again for every message.
        timeout = 0.0 if self._overflowing else self.write_timeout
        if self.port.write(frame, timeout):
            self._overflowing = False
        elif self.port.up:
            self._overflowing = True
            self.stats.tx_overflows += 1
            self.stats.note_lost("tx_overflow", name, seq)
        else:
            self.stats.note_lost("lost_in_reset", name, seq)
