"""What the Edge TPU would run of a model: ``edgetpu_compiler`` when on PATH, else a static report.

The static report follows Coral's documentation, "TensorFlow models on the Edge TPU", section
"Supported operations" and "Model requirements":
https://coral.ai/docs/edgetpu/models-intro/#supported-operations
(table written here from that page; it lists the TFLite builtin ops the compiler maps, with
limits such as "no reduction in the batch dimension"). The page's model requirements: tensors
are quantized 8-bit, sizes are constant, and tensors are 1-, 2- or 3-dimensional (a tensor of
more dimensions may have a size above 1 only in its 3 innermost ones). The compiler partitions
a model only once: the first op it cannot map *and every op after it* run on the CPU (the M7 on
the Coral Dev Board Micro), even ops it could map. The static report is therefore an
estimate; only the compiler's own log is the answer, and it is used whenever it is installed
(it is not in Debian or PyPI; FACTS.md).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: The compiler's executable name (Coral's Debian package ``edgetpu-compiler``, x86-64 only).
COMPILER = "edgetpu_compiler"

#: Where the static table comes from (cited in every static report).
SOURCE_URL = "https://coral.ai/docs/edgetpu/models-intro/#supported-operations"

#: TFLite builtin ops the Edge TPU compiler maps, with the page's limits (empty: none stated).
EDGETPU_OPS: dict[str, str] = {
    "ADD": "",
    "AVERAGE_POOL_2D": "no fused activation function",
    "CONCATENATION": "no fused activation; a constant input allows only 2 inputs",
    "CONV_2D": "same dilation in x and y",
    "DEPTHWISE_CONV_2D": "no dilated kernels",
    "EXPAND_DIMS": "",
    "FULLY_CONNECTED": "only the default format",
    "L2_NORMALIZATION": "",
    "LOGISTIC": "",
    "UNIDIRECTIONAL_SEQUENCE_LSTM": "unidirectional LSTM only",
    "MAXIMUM": "",
    "MAX_POOL_2D": "no fused activation function",
    "MEAN": "no reduction in the batch dimension; x, y or z only",
    "MINIMUM": "",
    "MUL": "",
    "PACK": "no packing in the batch dimension",
    "PAD": "no padding in the batch dimension",
    "PRELU": "alpha must be constant",
    "QUANTIZE": "",
    "REDUCE_MAX": "not in the batch dimension",
    "REDUCE_MIN": "not in the batch dimension",
    "RELU": "",
    "RELU6": "",
    "RELU_N1_TO_1": "",
    "RESHAPE": "some reshapes of large tensors are not mapped",
    "RESIZE_BILINEAR": "3-D input/output; large sizes may not be mapped",
    "RESIZE_NEAREST_NEIGHBOR": "3-D input/output; large sizes may not be mapped",
    "RSQRT": "",
    "SLICE": "",
    "SOFTMAX": "1-D input of at most 16,000 elements",
    "SPACE_TO_DEPTH": "",
    "SPLIT": "no splitting in the batch dimension",
    "SQUARED_DIFFERENCE": "",
    "SQUEEZE": "",
    "STRIDED_SLICE": "all strides 1, no ellipsis or new-axis mask",
    "SUB": "",
    "SUM": "not in the batch dimension",
    "TANH": "",
    "TRANSPOSE": "",
    "TRANSPOSE_CONV": "",
}

#: Tensor types the Edge TPU computes with (8-bit quantized; int32 biases ride along).
EDGETPU_TYPES = ("INT8", "UINT8", "INT32")


@dataclass(frozen=True)
class OpPlacement:
    """One operator of the main subgraph, in execution order, and where it would run."""

    index: int
    op: str
    on_tpu: bool
    why: str  # empty when mapped; else why it runs on the CPU


@dataclass
class EdgeTpuReport:
    """Which ops the Edge TPU would run; ``source`` is "compiler" or "static"."""

    source: str
    note: str
    ops: list[OpPlacement] = field(default_factory=list)
    compiler_log: str = ""

    @property
    def cpu_ops(self) -> list[str]:
        """Names of the ops that would run on the CPU (each once, in order of first use)."""
        return list(dict.fromkeys(p.op for p in self.ops if not p.on_tpu))

    @property
    def unmapped(self) -> list[str]:
        """Ops the Edge TPU cannot map at all (the cause, not the ops dragged after them)."""
        return list(dict.fromkeys(p.op for p in self.ops if not p.on_tpu and
                                  not p.why.startswith("after ")))  # fmt: skip

    def summary(self) -> str:
        """One sentence for the CLI and the window."""
        if self.source == "compiler":
            return self.note
        n_cpu = sum(not p.on_tpu for p in self.ops)
        if not n_cpu:
            return (f"Static estimate ({SOURCE_URL}): all {len(self.ops)} ops are in Coral's "
                    "mapped list; run edgetpu_compiler to confirm.")  # fmt: skip
        first = next(p for p in self.ops if not p.on_tpu)
        return (f"Static estimate ({SOURCE_URL}): {n_cpu} of {len(self.ops)} ops would run on "
                f"the CPU, from op {first.index} ({first.op}: {first.why}) on; not mapped: "
                f"{', '.join(self.unmapped)}.")  # fmt: skip

    def to_dict(self) -> dict:
        """JSON-able form."""
        return {"source": self.source, "summary": self.summary(), "cpu_ops": self.cpu_ops,
                "unmapped": self.unmapped, "ops_total": len(self.ops),
                "ops_on_cpu": sum(not p.on_tpu for p in self.ops),
                "compiler_log": self.compiler_log}  # fmt: skip


Tensor = tuple[str, tuple[int, ...], bool]  # dtype name, shape, whether it is a constant


def _operators(data: bytes) -> list[tuple[str, list[Tensor]]]:
    """(op name, [(dtype, shape, constant) of each input/output tensor]) of subgraph 0."""
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    model = schema.Model.GetRootAsModel(data, 0)
    op_names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    types = {v: k for k, v in vars(schema.TensorType).items() if not k.startswith("_")}
    codes = []
    for i in range(model.OperatorCodesLength()):
        c = model.OperatorCodes(i)
        code = max(c.BuiltinCode(), c.DeprecatedBuiltinCode())
        custom = c.CustomCode()
        codes.append(f"CUSTOM:{custom.decode()}" if code == schema.BuiltinOperator.CUSTOM
                     and custom else op_names.get(code, f"BUILTIN_{code}"))  # fmt: skip
    graph = model.Subgraphs(0)
    buffers = model.BuffersLength()
    out = []
    for i in range(graph.OperatorsLength()):
        op = graph.Operators(i)
        idx = [int(t) for t in (*np.asarray(op.InputsAsNumpy()).reshape(-1),
                                *np.asarray(op.OutputsAsNumpy()).reshape(-1)) if t >= 0]
        tensors = []
        for t in idx:
            tensor = graph.Tensors(t)
            b = tensor.Buffer()
            const = 0 < b < buffers and model.Buffers(b).DataLength() > 0
            tensors.append((types.get(tensor.Type(), "?"),
                            tuple(int(d) for d in np.asarray(tensor.ShapeAsNumpy()).reshape(-1)),
                            bool(const)))
        out.append((codes[op.OpcodeIndex()], tensors))
    return out


def _why_not(op: str, tensors: list[Tensor]) -> str:
    """Why the static table says ``op`` is not mapped ('' when it is)."""
    if op == "CUSTOM:edgetpu-custom-op":
        return ""
    if op not in EDGETPU_OPS:
        return "not in Coral's list of supported operations"
    for dtype, shape, const in tensors:
        if dtype not in EDGETPU_TYPES:
            return f"a {dtype.lower()} tensor (the Edge TPU needs 8-bit quantized tensors)"
        # The rank rule is for activations: constant filters (OHWI) are 4-D by nature.
        if not const and len(shape) > 3 and any(d > 1 for d in shape[:-3]):
            return (f"a tensor of shape {list(shape)} (more than the 3 innermost dimensions "
                    "above 1)")  # fmt: skip
    return ""


def static_report(data: bytes) -> EdgeTpuReport:
    """Coral's documented op list and tensor rules applied to the model, op by op."""
    placements, fallen = [], None
    for i, (op, tensors) in enumerate(_operators(data)):
        why = _why_not(op, tensors)
        if why and fallen is None:
            fallen = (i, op)
        elif not why and fallen is not None:
            why = f"after op {fallen[0]} ({fallen[1]}): the compiler partitions only once"
        placements.append(OpPlacement(i, op, not why, why))
    note = (f"edgetpu_compiler is not on PATH, so this is a static estimate from {SOURCE_URL}.")
    return EdgeTpuReport("static", note, placements)


def compiler_report(path: Path, compiler: str) -> EdgeTpuReport:
    """Run ``edgetpu_compiler -s`` on the model in a temporary folder; keep its log."""
    with tempfile.TemporaryDirectory() as out:
        try:
            proc = subprocess.run([compiler, "-s", "-o", out, str(path)], capture_output=True,
                                  text=True, timeout=300)  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            return EdgeTpuReport("compiler", f"edgetpu_compiler failed to run: {exc}.")
    log = (proc.stdout + proc.stderr).strip()
    # Its per-op table (with -s): "OPERATOR  COUNT  STATUS", e.g. "Mapped to Edge TPU".
    rows = [ln.split(None, 2) for ln in log.splitlines()]
    table = [(r[0], r[2].strip()) for r in rows
             if len(r) == 3 and r[1].isdigit() and r[0].isupper()]  # fmt: skip
    status = "compiled" if proc.returncode == 0 else f"failed (status {proc.returncode})"
    last = next((ln for ln in reversed(log.splitlines()) if ln.strip()), "no output")
    report = EdgeTpuReport("compiler", f"edgetpu_compiler {status}: {last.strip()}",
                           compiler_log=log)
    report.ops = [OpPlacement(i, op, st.startswith("Mapped to Edge TPU"),
                              "" if st.startswith("Mapped to Edge TPU") else st)
                  for i, (op, st) in enumerate(table)]  # fmt: skip
    return report


def edgetpu_report(path: Path, data: bytes) -> EdgeTpuReport:
    """The compiler's report when it is on PATH, else the static estimate."""
    compiler = shutil.which(COMPILER)
    return compiler_report(path, compiler) if compiler else static_report(data)
