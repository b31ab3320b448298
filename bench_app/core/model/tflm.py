"""Run a ``.tflite`` in the TFLM interpreter: load (``TFL3`` check), smallest arena, invoke.

The interpreter is ``tflite_micro``'s (TFLM itself, every op registered). TFLM has no query for
the arena it used, so `smallest_arena` searches the smallest size (to 16 bytes) in which the model
allocates. Used by the virtual board (`bench_app.core.device.emulator.model_runner`) and meant for
a host twin and ``bench-app model check``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from pathlib import Path

import numpy as np

from bench_app.core.errors import ModelFileError
from bench_app.core.model.tflite_file import check_identifier, read_bytes

#: The largest arena `smallest_arena` tries (a model that needs more is not for this board).
MAX_ARENA_BYTES = 16 << 20


@contextlib.contextmanager
def quiet_native_output():
    """Silence C-level stdout/stderr (file descriptors 1 and 2) for the block.

    TFLM prints every failed allocation to stdout; a search would flood the console.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)


def _fits(model: bytes, arena_bytes: int) -> bool:
    from tflite_micro import runtime

    try:
        runtime.Interpreter.from_bytes(model, arena_size=int(arena_bytes))
    except (RuntimeError, ValueError):
        return False
    return True


def allocates(model: bytes, arena_bytes: int) -> bool:
    """Whether TFLM allocates ``model`` in an arena of ``arena_bytes``."""
    with quiet_native_output():
        return _fits(model, arena_bytes)


def smallest_arena(model: bytes, lo: int = 1024, hi: int = MAX_ARENA_BYTES) -> int:
    """Smallest arena size (bytes, to 16 bytes) in which TFLM allocates ``model``.

    Bisection (``hi`` always allocates and ``lo`` is assumed not to), run in a child process by
    `arena_search`: TFLM can segfault on some too-small arenas instead of failing, which would
    take the caller (the virtual board, training, the window) down with it.

    Raises
    ------
    ModelFileError
        If it does not allocate even in ``hi`` bytes (not a model TFLM can run).
    """
    from bench_app.core.model.arena_search import smallest_arena_isolated

    return smallest_arena_isolated(model, lo, hi)


def _reason(exc: Exception) -> str:
    """Why loading failed, as a clause (the file is cut short or damaged, or too big)."""
    if isinstance(exc, ModelFileError):  # smallest_arena: no arena up to its limit allocates
        return f"it does not allocate in a {MAX_ARENA_BYTES >> 20} MB arena"
    kind = type(exc)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    detail = (str(exc).splitlines() or [""])[0].rstrip(".")
    return f"the file is cut short or damaged ({name}: {detail})" if detail else (
        f"the file is cut short or damaged ({name})")  # fmt: skip


def _quantization(details: dict) -> tuple[float, int]:
    q = details.get("quantization_parameters") or {}
    scales, zeros = q.get("scales"), q.get("zero_points")
    scale = float(scales[0]) if scales is not None and len(scales) else 1.0
    zero = int(zeros[0]) if zeros is not None and len(zeros) else 0
    return scale, zero


class TflmModel:
    """A model loaded in the TFLM interpreter, with its input/output shapes and quantization.

    Parameters
    ----------
    path : path-like
        The ``.tflite`` file.
    arena_size : int, optional
        Arena bytes; by default the smallest that allocates (searched once, here).

    Raises
    ------
    ModelFileError
        When the file cannot be read, is not a TFLite flatbuffer, or TFLM cannot load it.
    """

    def __init__(self, path, arena_size: int | None = None) -> None:
        from tflite_micro import runtime

        self.path = Path(path)
        self.model = read_bytes(self.path)
        self.sha256 = hashlib.sha256(self.model).hexdigest()
        check_identifier(self.model, str(self.path))
        try:  # a damaged flatbuffer fails anywhere in the parse (struct.error, IndexError...)
            if arena_size is None:  # parse here first: a damaged file says so, in words
                with quiet_native_output():
                    runtime.Interpreter.from_bytes(self.model, arena_size=MAX_ARENA_BYTES)
            self.arena_size = arena_size or smallest_arena(self.model)
            with quiet_native_output():
                self._it = runtime.Interpreter.from_bytes(self.model, arena_size=self.arena_size)
        except Exception as exc:
            raise ModelFileError(f"{self.path} is not a TFLite model the TFLM interpreter can "
                                 f"load: {_reason(exc)}.") from None  # fmt: skip
        inp = self._it.get_input_details(0)
        out = self._it.get_output_details(0)
        self.input_shape = tuple(int(d) for d in inp["shape"])
        self.input_dtype = np.dtype(inp["dtype"])
        self.output_shape = tuple(int(d) for d in out["shape"])
        self.output_dtype = np.dtype(out["dtype"])
        self.input_scale, self.input_zero_point = _quantization(inp)
        self.output_scale, self.output_zero_point = _quantization(out)

    def invoke(self, x: np.ndarray) -> np.ndarray:
        """Run one input (reshaped to the input shape) and return the output, flattened."""
        self._it.set_input(np.asarray(x, self.input_dtype).reshape(self.input_shape), 0)
        self._it.invoke()
        return np.array(self._it.get_output(0)).reshape(-1)
