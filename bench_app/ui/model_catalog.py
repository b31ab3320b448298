"""The models in ``models/``: size, operators (read from the .tflite flatbuffer), arena, budget.

Operators come from the file itself through the TFLite flatbuffer schema that ships with
``tflite_micro`` (no TensorFlow); the arena comes from the model's JSON sidecar (the script
that built the model searched the smallest arena that allocates), since TFLM has no query for
it. Read-only: nothing here changes a model.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from bench_app.core.model_files import MODELS_DIR, untrained_models

#: Flash budget for the model on the Coral Dev Board Micro (the paper's 1.8 MB, in MiB).
BUDGET_BYTES = int(1.8 * 1024 * 1024)


@dataclass
class ModelEntry:
    """One model file and what is known about it."""

    path: Path
    size_bytes: int
    sha256: str
    ops: list[str] = field(default_factory=list)
    subgraph_ops: int = 0
    arena_bytes: int | None = None
    untrained: bool | None = None
    description: str = ""
    error: str | None = None

    @property
    def fits_budget(self) -> bool:
        """True when the file fits the flash budget."""
        return self.size_bytes <= BUDGET_BYTES


def read_ops(data: bytes) -> tuple[list[str], int]:
    """Builtin operator names used by a .tflite model (sorted) and the operator count.

    Raises ``ValueError`` when the bytes are not a TFLite flatbuffer.
    """
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    if len(data) < 8 or data[4:8] != b"TFL3":
        raise ValueError("not a TFLite flatbuffer (no TFL3 identifier)")
    model = schema.Model.GetRootAsModel(data, 0)
    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    ops = set()
    for i in range(model.OperatorCodesLength()):
        code = model.OperatorCodes(i)
        # Newer files keep codes > 127 in builtin_code and 127 in the deprecated byte.
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        if builtin == schema.BuiltinOperator.CUSTOM:
            custom = code.CustomCode()
            ops.add(f"CUSTOM:{custom.decode() if custom else '?'}")
        else:
            ops.add(names.get(builtin, f"BUILTIN_{builtin}"))
    count = sum(model.Subgraphs(i).OperatorsLength() for i in range(model.SubgraphsLength()))
    return sorted(ops), count


def read_model(path: Path) -> ModelEntry:
    """Describe one .tflite file (an unreadable file gives an entry with ``error`` set)."""
    data = path.read_bytes()
    entry = ModelEntry(path, len(data), hashlib.sha256(data).hexdigest())
    try:
        entry.ops, entry.subgraph_ops = read_ops(data)
    except Exception as exc:  # a damaged file is shown as such, never a crash
        entry.error = f"{path.name} cannot be read as a TFLite model: {exc}."
    sidecar = path.with_suffix(".json")
    if sidecar.is_file():
        try:
            meta = json.loads(sidecar.read_text())
        except (OSError, ValueError) as exc:
            entry.error = entry.error or f"{sidecar.name} is not valid JSON: {exc}."
            meta = {}
        arena = meta.get("arena_bytes")
        entry.arena_bytes = int(arena) if isinstance(arena, int | float) else None
        untrained = meta.get("untrained")
        entry.untrained = bool(untrained) if untrained is not None else None
        entry.description = str(meta.get("description", ""))
    return entry


def list_models(folder: Path = MODELS_DIR) -> list[ModelEntry]:
    """Every ``*.tflite`` in ``folder``, by name."""
    if not folder.is_dir():
        return []
    return [read_model(p) for p in sorted(folder.glob("*.tflite"))]


#: Said wherever the window shows a model that is untrained (issue 4).
UNTRAINED_NOTE = "UNTRAINED: random weights, for latency only; its scores mean nothing"


def model_untrained(info, folder: Path = MODELS_DIR) -> bool | None:
    """Whether a board's model is untrained: True, False, or None when nothing says.

    ``info`` is a `bench_app.core.device.protocol.messages.Info` or an INFO / summary dict.
    The board's own word (``model_untrained``, or the virtual board's model note) counts
    first; otherwise a model whose sha256 a ``models/`` sidecar marks untrained is untrained.
    """
    if info is None:
        return None
    doc = info if isinstance(info, dict) else {**(getattr(info, "extra", None) or {}),
                                               "model_sha256": info.model_sha256}
    emulated = ((doc.get("emulator") or {}).get("model") or {}) if isinstance(
        doc.get("emulator"), dict) else {}
    said = doc.get("model_untrained", emulated.get("untrained"))
    if said:
        return True
    sha = doc.get("model_sha256")
    if isinstance(sha, str) and sha.lower() in untrained_models(folder):
        return True
    return None if said is None else False
