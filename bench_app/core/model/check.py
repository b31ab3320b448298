"""``bench-app model check``: is a ``.tflite`` ready for the board? Findings, each one sentence.

`check_model` reads the file (`tflite_file`), lists ops and tensor types (any float tensor is a
finding: the board runs full-INT8 models), loads it in TFLM (naming the op TFLM lacks when it
cannot) and measures the smallest arena, both in a child process (`arena_search`: TFLM can
crash on a too-small arena), puts weights + arena against the paper's 1.8 MB budget
(`budget`), compares TFLM with LiteRT on a few seeded random inputs (`runtime_agreement`), and
says what the Edge TPU would run (`edgetpu_ops`). The training pipeline can run the same checks on
the model it exports. No TensorFlow: everything here runs in the window's process too.

A file the bench cannot read at all is not raised: it is a `ModelCheck` with ``readable``
False and the reason as its one finding, so the CLI and the window show it like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench_app.core.errors import ModelFileError
from bench_app.core.model.arena_search import probe_tflm
from bench_app.core.model.budget import BUDGET_TEXT, BudgetVerdict, budget_verdict
from bench_app.core.model.edgetpu_ops import EdgeTpuReport, edgetpu_report
from bench_app.core.model.runtime_agreement import Agreement, compare_runtimes
from bench_app.core.model.servable import UnservableModelError, check_servable
from bench_app.core.model.tflite_file import ModelFacts, read_bytes, read_tflite
from bench_app.core.model.tflm import MAX_ARENA_BYTES

#: How TFLM names an op it has no kernel for (printed by its op resolver).
_MISSING_OP = re.compile(r"Didn't find op for builtin opcode '([A-Z0-9_]+)'")
_MISSING_CUSTOM = re.compile(r"Didn't find op for custom opcode '([^']+)'")


@dataclass
class ModelCheck:
    """Everything the check found about one model file.

    ``findings`` holds one sentence per problem that stops the model from running on the board
    as the bench expects (empty: ``ok``); ``notes`` holds what is worth knowing but not wrong
    (LiteRT missing, outputs more than 1 LSB apart). Ops the Edge TPU would leave to the CPU are in
    ``edgetpu``, not findings: the board's M7 runs them (slower).
    """

    path: str
    readable: bool = True
    facts: ModelFacts | None = None
    io: dict[str, list[dict]] = field(default_factory=dict)
    tflm_loaded: bool = False
    missing_ops: list[str] = field(default_factory=list)
    arena_bytes: int | None = None
    budget: BudgetVerdict | None = None
    agreement: Agreement | None = None
    edgetpu: EdgeTpuReport | None = None
    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No findings."""
        return not self.findings

    def to_json(self) -> dict[str, Any]:
        """JSON-able form (``--json``, the training card, the window)."""
        f = self.facts
        return {
            "path": self.path, "ok": self.ok, "readable": self.readable,
            "findings": list(self.findings), "notes": list(self.notes),
            "sha256": f.sha256 if f else None, "size_bytes": f.size_bytes if f else None,
            "ops": list(f.ops) if f else [], "op_count": f.op_count if f else 0,
            "float_tensors": [t.name for t in f.tensors if t.is_float] if f else [],
            "io": self.io, "tflm_loaded": self.tflm_loaded, "missing_ops": self.missing_ops,
            "arena_bytes": self.arena_bytes,
            "budget": self.budget.to_dict() if self.budget else None,
            "budget_text": self.budget.text() if self.budget else None,
            "tflm_vs_litert": self.agreement.to_dict() if self.agreement else None,
            "edgetpu": self.edgetpu.to_dict() if self.edgetpu else None,
        }  # fmt: skip


def _io_quantization(data: bytes) -> dict[str, list[dict]]:
    """Name, type, shape, scale and zero point of each input and output of subgraph 0."""
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    model = schema.Model.GetRootAsModel(data, 0)
    graph = model.Subgraphs(0)
    types = {v: k for k, v in vars(schema.TensorType).items() if not k.startswith("_")}

    def one(index: int) -> dict:
        t = graph.Tensors(index)
        q = t.Quantization()
        scales = [] if q is None or q.ScaleIsNone() else np.asarray(q.ScaleAsNumpy()).tolist()
        zeros = ([] if q is None or q.ZeroPointIsNone()
                 else np.asarray(q.ZeroPointAsNumpy()).tolist())  # fmt: skip
        return {"name": (t.Name() or b"").decode(errors="replace"),
                "dtype": types.get(t.Type(), "?").lower(),
                "shape": [int(d) for d in np.asarray(t.ShapeAsNumpy()).reshape(-1)],
                "scale": float(scales[0]) if scales else None,
                "zero_point": int(zeros[0]) if zeros else None}  # fmt: skip

    return {"inputs": [one(int(i)) for i in np.asarray(graph.InputsAsNumpy()).reshape(-1)],
            "outputs": [one(int(i)) for i in np.asarray(graph.OutputsAsNumpy()).reshape(-1)]}


def _servable_findings(data: bytes, name: str, frontend_config) -> list[str]:
    """What stops the board serving the model with its front end (`servable.check_servable`)."""
    try:
        check_servable(data, frontend_config, name=name)
    except UnservableModelError as exc:
        return [str(exc)]
    return []


def check_model(path: Path | str, frontend_config=None, *, inputs: np.ndarray | None = None,
                agreement_windows: int = 3, seed: int = 0,
                edgetpu: bool = True) -> ModelCheck:  # fmt: skip
    """Check one ``.tflite`` file; never raises for a bad file (see `ModelCheck`).

    Parameters
    ----------
    path
        The model file.
    frontend_config
        A `FrontendConfig`; when given, the model's input must take its frames (its channel
        count). Input and output shapes and types are checked either way (`check_servable`).
    inputs
        Windows for the TFLM vs LiteRT comparison (default: ``agreement_windows`` seeded
        random windows over the input's full range).
    edgetpu
        Whether to add the Edge TPU report.
    """
    check = ModelCheck(path=str(path))
    try:
        data = read_bytes(path)
        check.facts = read_tflite(data, name=str(path))
        check.io = _io_quantization(data)
    except ModelFileError as exc:
        check.readable = False
        check.findings.append(str(exc))
        return check
    facts = check.facts
    if facts.has_float:
        names = [t.name for t in facts.tensors if t.is_float]
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        check.findings.append(f"The model has {len(names)} float tensor(s) ({shown}), so it is "
                              "not the full-INT8 model the board runs.")  # fmt: skip
    if not facts.has_float:  # a float model's one finding is the one above
        check.findings += _servable_findings(data, str(path), frontend_config)

    probe = probe_tflm(data)  # in a child process: TFLM can crash on a too-small arena
    check.tflm_loaded, check.arena_bytes = probe.loaded, probe.arena_bytes
    customs = [f"CUSTOM:{c}" for c in _MISSING_CUSTOM.findall(probe.log)]
    check.missing_ops = list(dict.fromkeys(_MISSING_OP.findall(probe.log) + customs))
    first = next((ln.strip() for ln in probe.log.splitlines() if ln.strip()), "")
    if check.missing_ops:
        check.findings.append(f"TFLM has no kernel for {', '.join(check.missing_ops)}, so the "
                              "board's interpreter cannot load this model.")  # fmt: skip
    elif not check.tflm_loaded:
        check.findings.append("TFLM cannot load this model even in a "
                              f"{MAX_ARENA_BYTES >> 20} MB arena ({first or 'no reason given'}).")
    check.budget = budget_verdict(facts.size_bytes, check.arena_bytes)
    if check.budget.fits is False:
        check.findings.append(f"The model does not fit the board's {BUDGET_TEXT} memory "
                              f"budget: {check.budget.text()}")

    if check.tflm_loaded and check.arena_bytes:
        check.agreement = compare_runtimes(data, check.arena_bytes, check.io, inputs=inputs,
                                           windows=agreement_windows, seed=seed)  # fmt: skip
        check.findings += check.agreement.findings()
        check.notes += check.agreement.notes()
    if edgetpu:
        try:
            check.edgetpu = edgetpu_report(Path(path), data)
        except Exception as exc:  # an estimate must not hide the other results
            check.notes.append(f"The Edge TPU report failed ({type(exc).__name__}: {exc}).")
    return check


def check_lines(check: ModelCheck) -> list[str]:
    """The check as text lines for the CLI and the window."""
    out = [f"model     {check.path}"]
    f = check.facts
    if f is not None:
        out.append(f"size      {f.size_bytes:,} B   sha256 {f.sha256[:16]}...")
        out.append(f"ops       {f.op_count} operators: {', '.join(f.ops)}")
        out.append(f"tensors   {len(f.tensors)}, float: {f.float_tensors}")
        for kind in ("inputs", "outputs"):
            for t in check.io.get(kind, []):
                q = ("" if t["scale"] is None
                     else f" scale {t['scale']:.6g} zero point {t['zero_point']}")  # fmt: skip
                out.append(f"{kind[:-1]:<9} {t['name']} {t['dtype']} {t['shape']}{q}")
        tflm = ("loads" if check.tflm_loaded else
                f"cannot load (missing: {', '.join(check.missing_ops) or 'see findings'})")
        out.append(f"TFLM      {tflm}")
        if check.arena_bytes:
            out.append(f"arena     {check.arena_bytes:,} B (smallest that allocates)")
        if check.budget is not None:
            out.append(f"budget    {check.budget.text()}")
        if check.agreement is not None:
            out.append(f"LiteRT    {check.agreement.text()}")
        if check.edgetpu is not None:
            out.append(f"Edge TPU  {check.edgetpu.summary()}")
    out += [f"FINDING   {s}" for s in check.findings]
    out += [f"note      {s}" for s in check.notes]
    out.append("verdict   " + ("OK: ready for the board" if check.ok else
                               f"{len(check.findings)} finding(s)"))  # fmt: skip
    return out
