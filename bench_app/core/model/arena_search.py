"""The smallest TFLM arena, searched in a child process that may crash without taking us along.

TFLM (``tflite_micro`` 0.dev20261023) can *segfault* instead of failing cleanly when an arena
is a little too small: a tiny trained transformer from ``bench-app train --dims tiny`` (22,560 B)
allocates in 16,000 B, fails cleanly in 9,000 B and kills the process in exactly 9,200 B, a
size `tflm.smallest_arena`'s bisection tries. A checker must survive any file, so here the
bisection runs in a child process that prints each size before trying it; if the child dies,
the size it was trying counts as "does not allocate" (it is below the smallest arena: the
crash is a failed allocation) and a new child goes on from there.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench_app.core.errors import ModelFileError
from bench_app.core.model.tflm import MAX_ARENA_BYTES

#: Children started at most per search (each crash costs one).
MAX_RESTARTS = 12

_CHILD = r"""
import json, os, sys, tempfile
from tflite_micro import runtime
data = open(sys.argv[1], "rb").read()
lo, hi = int(sys.argv[2]), int(sys.argv[3])
out = os.fdopen(os.dup(1), "w", buffering=1)
log = tempfile.TemporaryFile()
os.dup2(log.fileno(), 1)
os.dup2(log.fileno(), 2)

def fits(n):
    out.write(f"try {n}\n")
    try:
        runtime.Interpreter.from_bytes(data, arena_size=n)
    except (RuntimeError, ValueError):
        out.write(f"no {n}\n")
        return False
    out.write(f"ok {n}\n")
    return True

if not fits(hi):
    log.seek(0)
    out.write("none " + json.dumps(log.read().decode(errors="replace")) + "\n")
    sys.exit(0)
null = os.open(os.devnull, os.O_WRONLY)
os.dup2(null, 1)
os.dup2(null, 2)
while hi - lo > 16:
    mid = (lo + hi) // 32 * 16
    if fits(mid):
        hi = mid
    else:
        lo = mid
out.write(f"arena {hi}\n")
"""


@dataclass(frozen=True)
class TflmProbe:
    """What TFLM made of a model: the smallest arena, or why it did not load."""

    arena_bytes: int | None
    log: str = ""  # what TFLM printed when it failed in the largest arena
    crashed: bool = False  # TFLM killed the child in the largest arena

    @property
    def loaded(self) -> bool:
        """Whether TFLM allocates the model at all."""
        return self.arena_bytes is not None


def probe_tflm(data: bytes, lo: int = 1024, hi: int = MAX_ARENA_BYTES) -> TflmProbe:
    """Load ``data`` in TFLM and find its smallest arena (to 16 bytes), crash-proof.

    Never raises for a bad model: a model TFLM refuses gives ``arena_bytes`` None and TFLM's own
    words in ``log`` (e.g. "Didn't find op for builtin opcode 'SKIP_GRAM'").
    """
    with tempfile.NamedTemporaryFile(suffix=".tflite") as f:
        f.write(data)
        f.flush()
        top = hi
        for _ in range(MAX_RESTARTS):
            lines, rc = _run_child(Path(f.name), lo, hi)
            if lines and lines[-1].startswith("arena "):
                return TflmProbe(int(lines[-1].split()[1]))
            if lines and lines[-1].startswith("none "):
                return TflmProbe(None, json.loads(lines[-1][5:]))
            tried = [ln for ln in lines if ln.startswith(("try ", "ok ", "no "))]
            for line in tried:  # what the dead child learnt before it died
                word, n = line.split()
                if word == "ok":
                    hi = int(n)
                elif word == "no":
                    lo = int(n)
            if not tried or not tried[-1].startswith("try "):
                break  # it died outside a try: nothing more to learn
            crashed = int(tried[-1].split()[1])
            if crashed >= top:  # it crashed in the largest arena: not a model TFLM can run
                break
            lo = max(lo, crashed)
            if hi - lo <= 16:
                return TflmProbe(hi)
        return TflmProbe(None, f"the TFLM interpreter crashed (status {rc})", crashed=True)


def smallest_arena_isolated(data: bytes, lo: int = 1024, hi: int = MAX_ARENA_BYTES) -> int:
    """Smallest arena (to 16 bytes) in which TFLM allocates ``data``, crash-proof.

    Raises
    ------
    ModelFileError
        When TFLM does not allocate it even in ``hi`` bytes (or crashes there).
    """
    probe = probe_tflm(data, lo, hi)
    if probe.arena_bytes is None:
        raise ModelFileError(f"The model does not allocate in a {hi:,}-byte arena, so the TFLM "
                             "interpreter cannot load it.")  # fmt: skip
    return probe.arena_bytes


def _run_child(path: Path, lo: int, hi: int) -> tuple[list[str], int]:
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(lo), str(hi)],
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    return proc.stdout.split("\n")[:-1] if proc.stdout else [], proc.returncode
