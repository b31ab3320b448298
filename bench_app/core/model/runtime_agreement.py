"""TFLM vs LiteRT on the same inputs: does the board's interpreter compute what LiteRT does?

LiteRT (``ai_edge_litert``, the TFLite interpreter) runs with its reference kernels
(``BUILTIN_REF``): its default XNNPACK kernels differ from TFLM by 1-3 LSB on INT8
FULLY_CONNECTED, the reference ones by at most 1 (FACTS.md); through a transformer (softmax,
rsqrt) a few LSB have been seen (2 LSB on a tiny trained model). So a difference of more than
1 LSB is a note; a different class (arg max of the first output) is a finding, unless LiteRT's
top two scores are within that rounding of each other (a near tie, common on random inputs).
LiteRT is optional: without it the comparison is skipped with a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Integer outputs may differ by this many steps between the two runtimes (rounding).
TOLERANCE_LSB = 1
#: Float outputs may differ by this much (relative to the output's largest magnitude).
TOLERANCE_FLOAT = 1e-4


@dataclass
class Agreement:
    """How TFLM and LiteRT compare on ``windows`` inputs; ``error`` when LiteRT could not run."""

    windows: int = 0
    integer: bool = True
    max_abs_diff: float = 0.0
    class_agreement: float = 1.0
    disagreeing: list[int] = field(default_factory=list)
    error: str | None = None

    def findings(self) -> list[str]:
        """Sentences for `ModelCheck.findings`: the runtimes pick different classes."""
        if self.error or not self.disagreeing:
            return []
        return [f"TFLM and LiteRT pick different classes on {len(self.disagreeing)} of "
                f"{self.windows} test inputs ({self.disagreeing[:5]})."]

    def notes(self) -> list[str]:
        """Sentences for `ModelCheck.notes`: LiteRT missing, outputs apart beyond rounding."""
        if self.error:
            return [self.error]
        limit = TOLERANCE_LSB if self.integer else TOLERANCE_FLOAT
        if self.windows and self.max_abs_diff > limit:
            unit = " LSB" if self.integer else " (relative)"
            return [f"TFLM and LiteRT outputs differ by up to {self.max_abs_diff:g}{unit}, more "
                    f"than {limit:g}{unit}, on {self.windows} test inputs (same classes)."]
        return []

    def text(self) -> str:
        """One line for the CLI."""
        if self.error:
            return self.error
        unit = " LSB" if self.integer else ""
        return (f"{self.windows} inputs: max |TFLM - LiteRT| {self.max_abs_diff:g}{unit}, "
                f"same class on {100 * self.class_agreement:.0f} %")

    def to_dict(self) -> dict:
        """JSON-able form."""
        return {"windows": self.windows, "max_abs_diff": self.max_abs_diff,
                "unit": "lsb" if self.integer else "float", "class_agreement":
                self.class_agreement, "windows_disagreeing": self.disagreeing,
                "error": self.error}  # fmt: skip


def random_inputs(io: dict, windows: int, seed: int) -> list[list[np.ndarray]]:
    """``windows`` seeded random inputs: full range for integer inputs, N(0, 1) for float."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(windows):
        one = []
        for spec in io["inputs"]:
            dtype = np.dtype(spec["dtype"])
            if np.issubdtype(dtype, np.integer):
                info = np.iinfo(dtype)
                one.append(rng.integers(info.min, int(info.max) + 1, spec["shape"], dtype=dtype))
            else:
                one.append(rng.standard_normal(spec["shape"]).astype(dtype))
        out.append(one)
    return out


def _tflm_outputs(data: bytes, arena: int, cases: list[list[np.ndarray]]) -> list[np.ndarray]:
    from tflite_micro import runtime

    from bench_app.core.model.tflm import quiet_native_output

    with quiet_native_output():
        it = runtime.Interpreter.from_bytes(data, arena_size=arena)
    res = []
    for case in cases:
        for i, x in enumerate(case):
            it.set_input(x, i)
        it.invoke()
        res.append(np.array(it.get_output(0)).reshape(-1))
    return res


def _litert_outputs(data: bytes, cases: list[list[np.ndarray]]) -> list[np.ndarray]:
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    it = Interpreter(model_content=data,
                     experimental_op_resolver_type=OpResolverType.BUILTIN_REF)  # fmt: skip
    it.allocate_tensors()
    ins, out = it.get_input_details(), it.get_output_details()[0]
    res = []
    for case in cases:
        for d, x in zip(ins, case, strict=True):
            it.set_tensor(d["index"], x.reshape(d["shape"]))
        it.invoke()
        res.append(np.array(it.get_tensor(out["index"])).reshape(-1))
    return res


def _near_tie(out: np.ndarray, limit: float) -> bool:
    """Whether the top two scores are within rounding of each other (either class is right)."""
    top = np.sort(out.astype(np.float64).reshape(-1))[-2:]
    return len(top) == 2 and top[1] - top[0] <= limit


def compare_runtimes(data: bytes, arena: int, io: dict, *, inputs: np.ndarray | None = None,
                     windows: int = 3, seed: int = 0) -> Agreement:  # fmt: skip
    """Run TFLM and LiteRT on the same inputs and compare the first output."""
    try:
        import ai_edge_litert.interpreter  # noqa: F401
    except ImportError:
        return Agreement(error="LiteRT (ai-edge-litert) is not installed, so TFLM was not "
                               "compared with it.")  # fmt: skip
    if inputs is not None:
        spec = io["inputs"][0]
        arr = np.asarray(inputs).astype(spec["dtype"]).reshape(-1, *spec["shape"])
        cases = [[w] for w in arr]
    else:
        cases = random_inputs(io, windows, seed)
    try:
        tflm = _tflm_outputs(data, arena, cases)
        lite = _litert_outputs(data, cases)
    except Exception as exc:  # LiteRT refusing a model TFLM took is itself worth seeing
        return Agreement(error=f"LiteRT could not run the model ({type(exc).__name__}: "
                               f"{str(exc).splitlines()[0] if str(exc) else ''}).")
    integer = np.issubdtype(tflm[0].dtype, np.integer) if tflm else True
    diffs = [float(np.abs(a.astype(np.float64) - b.astype(np.float64)).max()) for a, b in
             zip(tflm, lite, strict=True)]  # fmt: skip
    scale = 1.0
    if not integer and tflm:
        scale = max(float(np.abs(b).max()) for b in lite) or 1.0
        diffs = [d / scale for d in diffs]
    limit = TOLERANCE_LSB if integer else TOLERANCE_FLOAT * scale
    same = [int(np.argmax(a)) == int(np.argmax(b)) or _near_tie(b, limit)
            for a, b in zip(tflm, lite, strict=True)]  # fmt: skip
    return Agreement(windows=len(cases), integer=bool(integer), max_abs_diff=max(diffs or [0.0]),
                     class_agreement=float(np.mean(same)) if same else 1.0,
                     disagreeing=[i for i, s in enumerate(same) if not s])  # fmt: skip
