"""Board-link throughput: the protocol decoder in memory, and messages end to end through a pty.

Run: ``.venv/bin/python benchmarks/link_throughput.py [--board-seconds N] [--repeats N]``

1. Decoder on in-memory bytes, the board's real mix (100 FRAME/s of 32 channels, 16 kHz PCM in
   10 ms chunks, 1 RESULT/s, 2 HEARTBEAT/s), fed in 4 KiB reads, beside a bare zlib CRC-32 pass
   over the same bytes (the floor any checked decoder pays). Target (issue 3): at least 20 MB/s,
   20x the ~1 MB/s of a full-speed USB CDC link.
2. End to end through a real pty pair: a writer thread encodes and writes each message, a
   `BoardClient` on the slave decodes and queues them; beside a raw pty copy of the same bytes
   with the same writes (plain os.write / os.read, no decoding).

Both report medians over repeats and the ratios. `run_soak` is the zero-drop soak through a
board (real or virtual): the emulator side calls it for the 10-minutes-of-board-time check.
"""

from __future__ import annotations

import argparse
import os
import pty
import statistics
import sys
import threading
import time
import tty
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_app.core.device.client import BoardClient  # noqa: E402
from bench_app.core.device.protocol import (  # noqa: E402
    Decoder,
    Frame,
    Heartbeat,
    Pcm,
    Result,
    Stream,
    encode,
)
from bench_app.core.errors import LinkError  # noqa: E402

USB_FS_CDC_BYTES_PER_S = 1_000_000


def board_mix(board_seconds: int, seed: int = 0) -> list[bytes]:
    """Encoded messages of `board_seconds` of the board's real data mix, in send order."""
    rng = np.random.default_rng(seed)
    seq = {Stream.FRAMES: 0, Stream.PCM: 0, Stream.RESULTS: 0, Stream.CONTROL: 0}
    out = []

    def put(msg):
        s = type(msg).STREAM
        out.append(encode(msg, seq[s]))
        seq[s] += 1

    for sec in range(board_seconds):
        for k in range(100):
            t = sec * 1_000_000 + k * 10_000
            n = sec * 100 + k
            put(Pcm(t, n * 160, rng.integers(-8000, 8000, 160).astype(np.int16)))
            put(Frame(t, n, rng.integers(0, 1200, 32).astype(np.uint16), n * 160))
            if k % 50 == 0:
                put(Heartbeat(t))
        put(Result(sec * 1_000_000, sec, sec * 16000, sec * 16000 + 80000,
                   rng.integers(-128, 127, 5).astype(np.int8), 2100, 31000, 33500,
                   1 / 256, -128))  # fmt: skip
    return out


def _median_time(fn, repeats: int, clock=time.perf_counter) -> float:
    times = []
    for _ in range(repeats):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times)


def bench_decoder(wire: bytes, n_messages: int, repeats: int) -> dict:
    """Decoder MB/s on 4 KiB reads of `wire`, beside a bare CRC-32 pass."""
    chunks = [wire[i : i + 4096] for i in range(0, len(wire), 4096)]

    def decode():
        dec = Decoder()
        got = 0
        for c in chunks:
            got += len(dec.feed(c))
        assert got == n_messages and dec.stats.total_drops == 0, dec.stats

    def crc_only():
        for c in chunks:
            zlib.crc32(c)

    # CPU time: the decoder is single-threaded and this machine's cores are shared, so wall
    # time measures the neighbours as much as the decoder (both are printed).
    t_cpu = _median_time(decode, repeats, time.process_time)
    t_wall = _median_time(decode, repeats)
    t_crc = _median_time(crc_only, repeats, time.process_time)
    return {"bytes": len(wire), "decoder_cpu_s": t_cpu, "decoder_wall_s": t_wall,
            "decoder_mb_s": len(wire) / t_cpu / 1e6, "decoder_wall_mb_s": len(wire) / t_wall / 1e6,
            "crc_mb_s": len(wire) / t_crc / 1e6, "messages_per_s": n_messages / t_cpu}  # fmt: skip


def _pty_pair() -> tuple[int, int, str]:
    master, slave = pty.openpty()
    tty.setraw(slave)
    return master, slave, os.ttyname(slave)


def _write_all(fd: int, messages: list[bytes]) -> None:
    for m in messages:
        view = memoryview(m)
        while view:
            view = view[os.write(fd, view) :]


def bench_raw_pty(messages: list[bytes]) -> float:
    """Seconds to move the bytes of `messages` through a pty with plain os.write / os.read."""
    total = sum(len(m) for m in messages)
    master, slave, _ = _pty_pair()
    try:
        got = 0
        t0 = time.perf_counter()
        writer = threading.Thread(target=_write_all, args=(master, messages))
        writer.start()
        while got < total:
            got += len(os.read(slave, 65536))
        elapsed = time.perf_counter() - t0
        writer.join()
        return elapsed
    finally:
        os.close(master)
        os.close(slave)


def bench_client_pty(messages: list[bytes], timeout: float = 30.0) -> tuple[float, dict]:
    """Seconds until a `BoardClient` on a pty has decoded every message; and its stats."""
    master, slave, path = _pty_pair()
    try:
        with BoardClient.open(path, timeout=timeout) as client:
            t0 = time.perf_counter()
            writer = threading.Thread(target=_write_all, args=(master, messages))
            writer.start()
            deadline = time.monotonic() + timeout
            while client.stats.packets < len(messages):
                for stream in (Stream.FRAMES, Stream.PCM, Stream.RESULTS):
                    client.drain(stream)
                if time.monotonic() > deadline:
                    raise LinkError(f"Only {client.stats.packets} of {len(messages)} arrived.")
                time.sleep(0.002)
            elapsed = time.perf_counter() - t0
            writer.join()
            return elapsed, client.stats.as_dict()
    finally:
        os.close(master)
        os.close(slave)


# ---------------------------------------------------------------------- soak (board time)


@dataclass
class SoakReport:
    """Outcome of `run_soak`: board seconds covered, what arrived, and every loss counted."""

    board_seconds: float
    wall_seconds: float
    frames: int
    pcm_chunks: int
    results: int
    frame_index_gaps: int
    stats: dict

    @property
    def zero_loss(self) -> bool:
        """No drop, CRC error, broken frame, resync or frame-index gap."""
        s = self.stats
        return (s["total_drops"] == 0 and s["crc_errors"] == 0 and s["broken_frames"] == 0
                and s["resyncs"] == 0 and self.frame_index_gaps == 0)  # fmt: skip


def run_soak(
    url: str,
    board_seconds: float = 600.0,
    streams: tuple[Stream, ...] = (Stream.FRAMES, Stream.PCM, Stream.RESULTS),
    timeout: float = 5.0,
    start: bool = True,
) -> SoakReport:
    """Stream from the board at `url` until its FRAME timestamps span `board_seconds`.

    Drains every queue as it goes (memory stays flat), checks FRAME indices are contiguous,
    and returns the client's statistics. For the 10-minute zero-drop check, start the virtual
    board (``bench-app emulate --fast``; or real time) and call
    ``run_soak(port, 600).zero_loss``. Raises `LinkError` if nothing arrives for `timeout` s.
    """
    t0 = time.perf_counter()
    counts = {Stream.FRAMES: 0, Stream.PCM: 0, Stream.RESULTS: 0}
    first_ts = last_ts = last_index = None
    gaps = 0
    with BoardClient.open(url, timeout=timeout) as client:
        if start:
            client.info()
            client.start(streams)
        last_progress = time.monotonic()
        while last_ts is None or (last_ts - first_ts) < board_seconds * 1e6:
            got_any = False
            for stream in counts:
                items = client.drain(stream)
                counts[stream] += len(items)
                got_any = got_any or bool(items)
                if stream is Stream.FRAMES:
                    for f in items:
                        if last_index is not None and f.frame_index != last_index + 1:
                            gaps += 1
                        last_index = f.frame_index
                        first_ts = f.timestamp_us if first_ts is None else first_ts
                        last_ts = f.timestamp_us
            if got_any:
                last_progress = time.monotonic()
            elif time.monotonic() - last_progress > timeout:
                raise LinkError(f"The board at {url!r} sent nothing for {timeout:g} s.")
            else:
                time.sleep(0.01)
        if start:
            client.stop(streams)
        stats = client.stats.as_dict()
    return SoakReport((last_ts - first_ts) / 1e6, time.perf_counter() - t0, counts[Stream.FRAMES],
                      counts[Stream.PCM], counts[Stream.RESULTS], gaps, stats)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--board-seconds", type=int, default=60,
                        help="seconds of board data in the mix (default 60)")
    parser.add_argument("--repeats", type=int, default=5, help="repeats, median reported")
    args = parser.parse_args(argv)

    messages = board_mix(args.board_seconds)
    wire = b"".join(messages)
    rate = len(wire) / args.board_seconds
    print(f"mix: {args.board_seconds} board-s, {len(messages)} messages, {len(wire)} B "
          f"({rate / 1000:.1f} kB per board-s)")

    d = bench_decoder(wire, len(messages), args.repeats)
    usb = d["decoder_mb_s"] * 1e6 / USB_FS_CDC_BYTES_PER_S
    print(f"\n1. decoder on in-memory bytes (4 KiB feeds), median of {args.repeats}")
    print(f"   decoder (CPU time)  {d['decoder_mb_s']:8.1f} MB/s {d['messages_per_s']:9.0f} msg/s")
    print(f"   decoder (wall time) {d['decoder_wall_mb_s']:8.1f} MB/s")
    print(f"   zlib CRC-32 alone   {d['crc_mb_s']:8.1f} MB/s")
    print(f"   ratio decoder / USB FS CDC (1 MB/s): {usb:7.1f}x  (target >= 20x)")
    print(f"   ratio decoder / board's real rate:   {d['decoder_mb_s'] * 1e6 / rate:7.0f}x")
    print(f"   ratio decoder / CRC-32 alone:        {d['decoder_mb_s'] / d['crc_mb_s']:7.3f}")

    raw = statistics.median(bench_raw_pty(messages) for _ in range(args.repeats))
    runs = [bench_client_pty(messages) for _ in range(args.repeats)]
    e2e = statistics.median(t for t, _ in runs)
    stats = runs[-1][1]
    print(f"\n2. end to end through a pty pair (one write per message), median of {args.repeats}")
    print(f"   raw pty copy     {len(wire) / raw / 1e6:8.1f} MB/s {len(messages) / raw:9.0f} msg/s")
    print(f"   BoardClient      {len(wire) / e2e / 1e6:8.1f} MB/s {len(messages) / e2e:9.0f} msg/s"
          f"  (drops {stats['total_drops']}, crc errors {stats['crc_errors']})")
    print(f"   ratio client / raw pty:              {raw / e2e:7.3f}")
    print(f"   ratio client / board's real rate:    {len(wire) / e2e / rate:7.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
