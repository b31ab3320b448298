"""Read a ``.tflite`` file: identifier, operators, tensors (dtype, shape, bytes), inputs, outputs.

The one flatbuffer reader of the bench. It uses the TFLite schema module that ships inside
``tflite_micro`` (already a dependency; no TensorFlow, no second schema package), so what it
reads is what the TFLM interpreter of the virtual board parses. Read-only and cheap (a 1 MB
model in a few ms); a file that is not a TFLite flatbuffer gives one-sentence
`ModelFileError`s, never a traceback.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench_app.core.errors import ModelFileError

#: The flatbuffer file identifier of a .tflite file, at bytes 4..8.
TFLITE_IDENTIFIER = b"TFL3"

#: Tensor types that hold floating-point numbers (a "full INT8" model has none of these).
FLOAT_TYPES = ("FLOAT32", "FLOAT16", "FLOAT64", "BFLOAT16")


@dataclass(frozen=True)
class TensorFacts:
    """One tensor of the model's first subgraph."""

    name: str
    dtype: str  # the schema's TensorType name: "INT8", "FLOAT32", ...
    shape: tuple[int, ...]
    buffer_bytes: int  # bytes of constant data stored in the file (0 for activations)

    @property
    def is_float(self) -> bool:
        """Whether the tensor holds floating-point numbers."""
        return self.dtype in FLOAT_TYPES


@dataclass(frozen=True)
class ModelFacts:
    """What a ``.tflite`` file says about itself."""

    size_bytes: int
    sha256: str
    ops: tuple[str, ...]  # builtin operator names used, sorted (custom ones as "CUSTOM:name")
    op_count: int  # operators in all subgraphs
    tensors: tuple[TensorFacts, ...] = field(repr=False)
    inputs: tuple[TensorFacts, ...]
    outputs: tuple[TensorFacts, ...]

    @property
    def float_tensors(self) -> int:
        """Number of float tensors (0 for a model with no float island)."""
        return sum(t.is_float for t in self.tensors)

    @property
    def has_float(self) -> bool:
        """Whether any tensor is a float tensor."""
        return self.float_tensors > 0

    def to_dict(self) -> dict:
        """JSON-able summary (no per-tensor list): what a run or a card stores."""
        def io(ts):
            return [{"name": t.name, "dtype": t.dtype.lower(), "shape": list(t.shape)} for t in ts]

        return {"sha256": self.sha256, "bytes": self.size_bytes, "ops": list(self.ops),
                "op_count": self.op_count, "float_tensors": self.float_tensors,
                "inputs": io(self.inputs), "outputs": io(self.outputs)}


def _schema():
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    return schema


def check_identifier(data: bytes, what: str = "the model") -> None:
    """Raise `ModelFileError` unless ``data`` starts like a TFLite flatbuffer ("TFL3" at 4..8).

    ``what`` names the file in the message (its path, usually).
    """
    if data[4:8] == TFLITE_IDENTIFIER:
        return
    why = "the file is empty, so it has no TFL3 identifier" if not data else (
        f"it is too short ({len(data)} bytes) to hold the TFL3 identifier" if len(data) < 8
        else f"its bytes 4..8 are {data[4:8]!r}, not {TFLITE_IDENTIFIER!r}"
    )  # fmt: skip
    raise ModelFileError(f"{what} is not a TFLite model the TFLM interpreter can load: {why}.")


def read_bytes(path: Path | str) -> bytes:
    """The file's bytes, or a one-sentence `ModelFileError` when it cannot be read."""
    path = Path(path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"Cannot read the model file {path}: {exc.strerror}.") from None


def read_tflite(source: Path | str | bytes, name: str | None = None) -> ModelFacts:
    """Read a ``.tflite`` file (a path, or its bytes) into `ModelFacts`.

    Raises
    ------
    ModelFileError
        When the file cannot be read, lacks the ``TFL3`` identifier, or its flatbuffer is cut
        short or damaged (one sentence naming the file).
    """
    if isinstance(source, bytes | bytearray):
        data, what = bytes(source), name or "the model"
    else:
        data, what = read_bytes(source), name or str(source)
    check_identifier(data, what)
    try:  # a damaged flatbuffer fails anywhere in the walk (IndexError, struct.error, ...)
        return _walk(data)
    except Exception as exc:
        detail = (str(exc).splitlines() or [""])[0].rstrip(".") or type(exc).__name__
        raise ModelFileError(f"{what} is not a TFLite model the TFLM interpreter can load: the "
                             f"file is cut short or damaged ({detail}).") from None


def _walk(data: bytes) -> ModelFacts:
    schema = _schema()
    model = schema.Model.GetRootAsModel(data, 0)
    op_names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    type_names = {v: k for k, v in vars(schema.TensorType).items() if not k.startswith("_")}
    ops = set()
    for i in range(model.OperatorCodesLength()):
        code = model.OperatorCodes(i)
        # Newer files keep codes > 127 in builtin_code and 127 in the deprecated byte.
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        if builtin == schema.BuiltinOperator.CUSTOM:
            custom = code.CustomCode()
            ops.add(f"CUSTOM:{custom.decode() if custom else '?'}")
        else:
            ops.add(op_names.get(builtin, f"BUILTIN_{builtin}"))
    if model.SubgraphsLength() < 1:
        raise ValueError("no subgraph")
    count = sum(model.Subgraphs(i).OperatorsLength() for i in range(model.SubgraphsLength()))
    buffers = [model.Buffers(i) for i in range(model.BuffersLength())]
    tensors = []
    for s in range(model.SubgraphsLength()):
        graph = model.Subgraphs(s)
        for i in range(graph.TensorsLength()):
            t = graph.Tensors(i)
            buf = buffers[t.Buffer()] if 0 <= t.Buffer() < len(buffers) else None
            size = 0
            if buf is not None:  # data inline, or (models > 2 GB) at an offset in the file
                size = buf.DataLength() or int(buf.Size() if buf.Offset() > 1 else 0)
            tensors.append(TensorFacts(
                name=(t.Name() or b"").decode(errors="replace"),
                dtype=type_names.get(t.Type(), f"TYPE_{t.Type()}"),
                shape=tuple(int(d) for d in np.asarray(t.ShapeAsNumpy()).reshape(-1)),
                buffer_bytes=int(size),
            ))  # fmt: skip
    main = model.Subgraphs(0)
    first = tensors[: main.TensorsLength()]
    return ModelFacts(
        size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), ops=tuple(sorted(ops)),
        op_count=count, tensors=tuple(tensors),
        inputs=tuple(first[int(i)] for i in np.asarray(main.InputsAsNumpy()).reshape(-1)),
        outputs=tuple(first[int(i)] for i in np.asarray(main.OutputsAsNumpy()).reshape(-1)),
    )  # fmt: skip
