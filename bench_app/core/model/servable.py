"""Can the board serve this model with this front end? One check, before any board starts.

A board (the virtual one, and firmware built on the same contract, docs/protocol.md) feeds its
model one int8 spectrogram window shaped ``(1, frames, channels)`` (or ``(1, frames, channels,
1)``, a Conv2D model's image) whose channel count is the front end's ``filterbank_n_channels``,
and sends the model's one output tensor as RESULT scores: int8 (score type 1) or float32 (score
type 2), at most `MAX_CLASSES` of them. A model outside that contract is *valid* TFLite, and
TFLM loads it, but serving it goes wrong later and far from the cause (a crash of the board
process, a RESULT too big for a frame, a dead link reported as "Cannot reach the virtual
speaker"). `check_servable` reads only the flatbuffer (`tflite_file.read_tflite`, no
interpreter: a few ms for a 1 MB model) and refuses such a model with one sentence that names
the mismatch. The virtual board calls it before it loads the model, and a run's board session
before it starts a virtual board, so the user hears about it at start.
"""

from __future__ import annotations

from math import prod
from pathlib import Path

from bench_app.core.errors import ModelFileError
from bench_app.core.model.tflite_file import ModelFacts, TensorFacts, read_tflite

#: Most class scores a board sends in one RESULT. Well above any classifier this bench is for
#: (the paper's model has 5 classes, keyword spotters a few dozen) and, as float32, 4 KiB: far
#: inside a protocol frame (64 KiB). An output larger than this is not class scores (an
#: embedding, a feature map, a wrong output tensor).
MAX_CLASSES = 1024

#: The output types a RESULT can carry (docs/protocol.md, RESULT ``score_type``).
SCORE_TYPES = ("INT8", "FLOAT32")


class UnservableModelError(ModelFileError):
    """A loadable model that does not fit the board's contract (input, output, front end)."""


def _shape(t: TensorFacts) -> str:
    return "(" + ", ".join(str(d) for d in t.shape) + ("," if len(t.shape) == 1 else "") + ")"


def _check_input(facts: ModelFacts, name: str, channels: int | None) -> None:
    if len(facts.inputs) != 1:
        raise UnservableModelError(
            f"{name} has {len(facts.inputs)} input tensors, but the board feeds its model "
            "exactly one (the spectrogram window).")  # fmt: skip
    t = facts.inputs[0]
    if t.dtype != "INT8":
        raise UnservableModelError(
            f"{name} takes {t.dtype.lower()} input, but the board feeds its model int8 "
            "spectrograms (convert it to full INT8 with an int8 input).")  # fmt: skip
    shape = t.shape
    if not (len(shape) in (3, 4) and shape[0] == 1 and shape[1] >= 1 and shape[2] >= 1
            and (len(shape) == 3 or shape[3] == 1)):  # fmt: skip
        raise UnservableModelError(
            f"{name} takes input shaped {_shape(t)}, but the board feeds its model a "
            "spectrogram window shaped (1, frames, channels) or (1, frames, channels, 1).")
    if channels is not None and shape[2] != channels:
        raise UnservableModelError(
            f"{name} takes {shape[2]}-channel spectrograms but the front end config gives "
            f"{channels} channels (filterbank_n_channels), so the board cannot feed it.")


def _check_output(facts: ModelFacts, name: str) -> None:
    if len(facts.outputs) != 1:
        raise UnservableModelError(
            f"{name} has {len(facts.outputs)} output tensors, but the board reports exactly "
            "one (the class scores).")  # fmt: skip
    t = facts.outputs[0]
    if t.dtype not in SCORE_TYPES:
        raise UnservableModelError(
            f"{name} outputs {t.dtype.lower()} scores, but a board reports int8 or float32 "
            "scores only (RESULT score types 1 and 2).")  # fmt: skip
    n = prod(t.shape) if t.shape else 1
    if any(d < 1 for d in t.shape) or any(d != 1 for d in t.shape[:-1]):
        raise UnservableModelError(
            f"{name} outputs a tensor shaped {_shape(t)}, but the board reports one row of "
            "class scores, shaped (1, classes) or (classes,).")  # fmt: skip
    if n > MAX_CLASSES:
        raise UnservableModelError(
            f"{name} outputs {n:,} scores, over the board's limit of {MAX_CLASSES:,} class "
            "scores per RESULT.")  # fmt: skip


def check_servable(model: str | Path | bytes, frontend_config=None, *,
                   name: str | None = None) -> ModelFacts:  # fmt: skip
    """Refuse a model the board cannot serve with ``frontend_config``; return its facts.

    Parameters
    ----------
    model
        The ``.tflite`` file (path) or its bytes.
    frontend_config : FrontendConfig, optional
        The board's front end; its ``filterbank_n_channels`` must equal the model's input
        channels. None checks the model alone.
    name
        How the message names the model (default: the path, or "the model" for bytes).

    Raises
    ------
    ModelFileError
        The file cannot be read or is not a TFLite flatbuffer (`read_tflite`'s sentence).
    UnservableModelError
        One sentence naming the first mismatch: input count, type or shape, channels vs the
        front end, output count, score type, output shape, or more than `MAX_CLASSES` scores.
    """
    if name is None:
        name = "the model" if isinstance(model, bytes | bytearray) else str(model)
    facts = read_tflite(model, name)
    channels = None if frontend_config is None else int(frontend_config.filterbank_n_channels)
    _check_input(facts, name, channels)
    _check_output(facts, name)
    return facts
