"""One board for the length of a run: connect, INFO, collect streams with host times, let go.

``--device sim`` starts a virtual board (`bench-app emulate` with the ``--sim`` arguments) and
stops it afterwards; ``--device native`` likewise starts the native board (firmware/core as a
host program, `bench-app board native`, with the ``--sim`` arguments); any other value is a
port or a pyserial URL of a board already running (a real one, or one started with
`bench-app emulate`). `BoardSession` keeps the board (any
`bench_app.core.device.board.Board`, a `BoardClient` when it opens one itself) and its INFO;
`BoardSession.on_board` wraps a board someone else connected. A `StreamBuffer` drains the
board's queues, stamping each message with the host's ``time.perf_counter()`` when it was
taken, and raising `LinkError` when the board has been gone longer than the client's timeout
(the run then ends "interrupted").

Procedures receive their session or open one from their parameters (`HoldsBoard`); they close
only a session they opened, so the window's connection outlives its runs.
"""

from __future__ import annotations

import contextlib
import shlex
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from bench_app.core.errors import ConfigError, LinkError

if TYPE_CHECKING:
    from bench_app.core.device.board import Board
    from bench_app.core.device.protocol import Info
    from bench_app.core.frontend.geometry import FrameGeometry

SIM = "sim"
NATIVE = "native"
#: Device names that start a board for the run (and stop it after).
STARTED_BOARDS = (SIM, NATIVE)
#: The model the virtual board runs when none is given: the demo model (trained on synthetic
#: espeak-ng speech by `make demo-model`); the untrained paper-shape one stays for latency tests.
DEFAULT_SIM_MODEL = "models/demo/model.tflite"


def sim_arguments(sim: str | None, *, model: str | None = None) -> list[str]:
    """The `bench-app emulate` arguments from ``--sim "ARGS"`` (plus ``--model`` if missing)."""
    try:
        args = shlex.split(sim or "")
    except ValueError as exc:
        raise ConfigError(f"The --sim arguments cannot be split into words ({exc}).") from None
    if model and "--model" not in args:
        args += ["--model", model]
    return args


def check_sim_model(sim_args: list[str]) -> None:
    """Refuse, before a virtual board starts, a ``--model`` it could not serve with its
    ``--frontend-config`` (`bench_app.core.model.servable.check_servable`'s one sentence).

    The virtual board checks again itself; checking here first means the user reads the
    mismatch as it is, not as a board that "failed to start", and no child is started for it.
    Arguments the emulator would refuse for other reasons are left for it to explain.
    """
    import argparse

    from bench_app.core.frontend import FrontendConfig
    from bench_app.core.model.servable import check_servable

    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    parser.add_argument("--model")
    parser.add_argument("--frontend-config")
    try:
        known, _ = parser.parse_known_args(sim_args)
    except (argparse.ArgumentError, SystemExit):  # a value missing: the emulator says so
        return
    if known.model:
        config = (FrontendConfig.from_json(known.frontend_config) if known.frontend_config
                  else FrontendConfig())  # fmt: skip
        check_servable(known.model, config)


def default_model_path() -> str | None:
    """The default model shipped in ``models/`` (found from the source tree), if present."""
    from bench_app.core.model import MODELS_DIR

    path = MODELS_DIR.parent / DEFAULT_SIM_MODEL
    return str(path) if path.is_file() else None


class BoardSession:
    """A connected board (and, for ``sim``, the virtual board process behind it).

    Parameters
    ----------
    device
        ``"sim"``, a port path, or a pyserial URL.
    sim_args
        Arguments for `bench-app emulate` when ``device == "sim"`` (ignored otherwise).
    timeout
        Seconds the board may be silent or gone before calls raise `LinkError`.
    opened_by
        Who holds the connection beyond a run (e.g. ``"window"``); stored as ``connected_by``.
    """

    def __init__(self, device: str, sim_args: list[str] | None = None, timeout: float = 2.0,
                 opened_by: str | None = None) -> None:  # fmt: skip
        self.device = device
        self.sim_args = list(sim_args or [])
        self.timeout = timeout
        self.opened_by = opened_by
        self.emulator = None
        self.client: Board | None = None
        self.info: Info | None = None
        self._stack = contextlib.ExitStack()

    @classmethod
    def on_board(cls, board: Board, device: str | None = None, *,
                 opened_by: str | None = None) -> BoardSession:  # fmt: skip
        """A session on a board that is already connected (its INFO is read now).

        Closing this session leaves the board connected: whoever connected it closes it.
        """
        session = cls(device or board.url, opened_by=opened_by)
        session.client = board
        session.info = board.info()
        return session

    def open(self) -> BoardSession:
        """Start the virtual board if asked, connect, and read INFO; return self."""
        from bench_app.core.device.client import BoardClient

        try:
            url = self.device
            if self.device == SIM:
                check_sim_model(self.sim_args)
                from bench_app.core.device.emulator.process import start_emulator

                self.emulator = self._stack.enter_context(start_emulator(self.sim_args))
                url = self.emulator.port
            elif self.device == NATIVE:
                from bench_app.core.device.native_board import start_native_board

                self.emulator = self._stack.enter_context(start_native_board(self.sim_args))
                url = self.emulator.port
            self.client = self._stack.enter_context(BoardClient.open(url, timeout=self.timeout))
            self.info = self.client.info()
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        """Disconnect and stop the virtual board (idempotent, never raises)."""
        with contextlib.suppress(Exception):
            self._stack.close()

    def __enter__(self) -> BoardSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def sample_rate(self) -> int:
        """The board's sample rate (INFO)."""
        return int(self.info.sample_rate_hz)

    @property
    def geometry(self) -> FrameGeometry | None:
        """The board's frame grid (`FrameGeometry` of INFO's ``fe.*``), or None if INFO does
        not state its rate, window and step."""
        from bench_app.core.frontend.geometry import FrameGeometry

        return FrameGeometry.from_settings(self.info.frontend or {})

    def has(self, capability: str) -> bool:
        """Whether INFO lists ``capability`` (``"pcm"``, ``"inject_pcm"``, ``"results"``...)."""
        return capability in tuple(self.info.capabilities)

    def speaker_address(self) -> str | None:
        """The virtual speaker's address from INFO, if the board has one."""
        speaker = self.info.extra.get("speaker") if self.info else None
        if isinstance(speaker, dict):
            return speaker.get("address")
        return speaker if isinstance(speaker, str) else None

    def describe(self) -> dict[str, Any]:
        """INFO as stored in the run's start document, with how the board was reached.

        ``"model"`` holds the model facts the run saw (`bench_app.core.model.run_facts`:
        sha256, bytes, arena, ops, budget, untrained, card), so reports need not look at
        ``models/`` again; the model's window and hop that INFO states stay beside them.
        """
        from bench_app.core.model import run_facts

        doc = dict(self.info.to_dict())
        stated = doc.get("model") if isinstance(doc.get("model"), dict) else {}
        facts = run_facts(doc)  # None when the board runs no model
        # INFO's window / hop are kept beside the facts.
        doc["model"] = {**stated, **facts} if facts is not None else (stated or None)
        doc["device"] = self.device
        if self.opened_by:
            doc["connected_by"] = self.opened_by
        if self.emulator is not None:
            doc["started_for_run"] = True
            doc["sim_args"] = list(self.sim_args)
        return doc


class HoldsBoard:
    """What a board-using procedure shares: its `BoardSession`, released by `close` or ``with``.

    A procedure is given a connected session (the window's) or opens one from its parameters
    in ``board_info()`` (`open_session`); `close` closes only a session it opened. The run
    controller calls ``board_info()`` before ``execute``; a run cancelled in between never
    enters ``execute``, so the caller closes the procedure.
    """

    session: BoardSession | None = None
    _opened: bool = False

    def open_session(self, device: str, sim_args: list[str], timeout: float) -> BoardSession:
        """The session given to this procedure, else a new one (closed again by `close`)."""
        if self.session is None:
            self.session = BoardSession(device, sim_args, timeout).open()
            self._opened = True
        return self.session

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Let go of a board this procedure connected (and of a virtual board it started)."""
        if self.session is not None and self._opened:
            self.session.close()


@dataclass
class Stamped:
    """A message taken from the client's queue and the host time it was taken."""

    message: Any
    host_time: float


@dataclass
class StreamBuffer:
    """Drains FRAME / PCM / RESULT messages from a client, stamped with ``perf_counter``.

    ``poll`` waits briefly for anything new; a board that stays disconnected longer than
    ``gone_after_s`` makes it raise `LinkError`, with everything taken so far kept here.
    """

    client: Any
    gone_after_s: float = 2.0
    frames: list = field(default_factory=list)
    pcm: list = field(default_factory=list)
    results: list[Stamped] = field(default_factory=list)
    _down_since: float | None = None

    def poll(self, wait_s: float = 0.02) -> int:
        """Take what arrived (waiting up to ``wait_s`` for a RESULT); return messages taken."""
        from bench_app.core.device.protocol import Stream

        n = 0
        got = None
        if wait_s > 0:
            try:
                got = next(iter(self.client.results(timeout=wait_s)), None)
            except LinkError:  # gone for now: check_link below decides when it is for good
                time.sleep(wait_s)
        now = time.perf_counter()
        if got is not None:
            self.results.append(Stamped(got, now))
            n += 1
        for r in self.client.drain(Stream.RESULTS):
            self.results.append(Stamped(r, now))
            n += 1
        frames = self.client.drain(Stream.FRAMES)
        pcm = self.client.drain(Stream.PCM)
        self.frames.extend(frames)
        self.pcm.extend(Stamped(p, now) for p in pcm)
        n += len(frames) + len(pcm)
        self.check_link()
        return n

    def check_link(self) -> None:
        """Raise `LinkError` once the board has been gone for ``gone_after_s``."""
        if self.client.connected:
            self._down_since = None
            return
        now = time.perf_counter()
        self._down_since = self._down_since or now
        if now - self._down_since > self.gone_after_s:
            raise LinkError(
                f"The board at {self.client.url!r} vanished mid-run and did not come back "
                f"within {self.gone_after_s:g} s."
            )

    def pcm_end(self) -> int | None:
        """One past the last board sample index received on the PCM stream."""
        if not self.pcm:
            return None
        last = self.pcm[-1].message
        return int(last.sample_index) + len(last.samples)


def _pcm_spans(chunks: list, start: int, length: int):
    """Each PCM chunk (a message or `Stamped`) clipped to ``start .. start + length``:
    ``(message, a, b, lo)``, its samples ``a - lo .. b - lo`` landing at ``a .. b``."""
    for c in chunks:
        m = c.message if isinstance(c, Stamped) else c
        lo = int(m.sample_index) - start
        a, b = max(lo, 0), min(lo + len(m.samples), length)
        if b > a:
            yield m, a, b, lo


def pcm_end(chunks: list, start: int) -> int:
    """One past the last board sample the chunks hold (``start`` if none)."""
    msgs = (c.message if isinstance(c, Stamped) else c for c in chunks)
    return max((int(m.sample_index) + len(m.samples) for m in msgs), default=start)


def pcm_coverage(chunks: list, start: int, length: int) -> np.ndarray:
    """Which of the ``length`` board samples from ``start`` some PCM chunk holds (bool)."""
    have = np.zeros(max(0, length), bool)
    for _, a, b, _ in _pcm_spans(chunks, start, len(have)):
        have[a:b] = True
    return have


def join_pcm(chunks: list, start: int, end: int | None = None) -> tuple[np.ndarray, int]:
    """The PCM from board sample ``start`` to ``end`` (exclusive), gaps filled with zeros.

    Returns the samples and how many were missing (lost chunks) inside the range.
    """
    end = pcm_end(chunks, start) if end is None else end
    out = np.zeros(max(0, end - start), np.int16)
    for m, a, b, lo in _pcm_spans(chunks, start, len(out)):
        out[a:b] = m.samples[a - lo : b - lo]
    return out, int((~pcm_coverage(chunks, start, len(out))).sum())


def clock_anchor(chunks: list[Stamped], sample_rate: int) -> tuple[int, float] | None:
    """``(end, host_time)``: the board sample clock's tightest mapping to ``perf_counter``.

    A chunk whose samples end at ``e`` (one past its last sample), taken at host time ``t``,
    was sent after sample ``e - 1`` entered the board, so ``t - (e - 1) / rate`` is the clock
    offset plus that chunk's link and queueing delay, never less than the offset. The chunk
    minimising it (the least delayed one; a standard one-way clock-offset filter) is returned
    as ``(e, t)``, and sample ``s`` entered at host time ``t + (s - (e - 1)) / rate`` at the
    latest (docs/metrics.md section 7), on a board that captures in real time.
    """
    if not chunks:
        return None
    best = min(chunks, key=lambda c: c.host_time - (c.message.sample_index
                                                    + len(c.message.samples)) / sample_rate)
    end = int(best.message.sample_index) + len(best.message.samples)
    return end, best.host_time
