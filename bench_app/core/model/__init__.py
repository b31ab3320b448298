"""The one place that knows models: files, cards, the budget and the TFLM runner.

- `tflite_file`: read a ``.tflite`` (the ``TFL3`` check, ops, tensors, dtypes, shapes, sizes);
- `card`: the model card (sidecar ``M.json`` or ``models/NAME/card.json``) and the one rule
  for "is this model untrained?";
- `budget`: the paper's 1.8 MB memory budget and the weights + arena verdict;
- `tflm`: load in the TFLM interpreter, smallest arena, invoke;
- `catalog`: the models in ``models/`` and the model facts a run stores.

No TensorFlow here: the flatbuffer schema and the interpreter come from ``tflite_micro``.
"""

from bench_app.core.model.budget import (
    BUDGET_TEXT,
    MEMORY_BUDGET_BYTES,
    BudgetVerdict,
    budget_verdict,
)
from bench_app.core.model.card import (
    MODELS_DIR,
    UNTRAINED_NOTE,
    ModelCard,
    card_for,
    card_path,
    read_card,
    untrained,
    untrained_models,
)
from bench_app.core.model.catalog import (
    ModelEntry,
    find_model,
    list_models,
    model_files,
    read_model,
    run_facts,
)
from bench_app.core.model.tflite_file import (
    TFLITE_IDENTIFIER,
    ModelFacts,
    TensorFacts,
    check_identifier,
    read_tflite,
)
from bench_app.core.model.tflm import TflmModel, allocates, smallest_arena

__all__ = [
    "BUDGET_TEXT", "MEMORY_BUDGET_BYTES", "MODELS_DIR", "TFLITE_IDENTIFIER", "UNTRAINED_NOTE",
    "BudgetVerdict", "ModelCard", "ModelEntry", "ModelFacts", "TensorFacts", "TflmModel",
    "allocates", "budget_verdict", "card_for", "card_path", "check_identifier", "find_model",
    "list_models", "model_files", "read_card", "read_model", "read_tflite", "run_facts",
    "smallest_arena", "untrained", "untrained_models",
]
