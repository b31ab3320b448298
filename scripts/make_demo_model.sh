#!/bin/sh
# Regenerate models/demo/ from scratch: synthetic espeak-ng corpus -> features -> keyword branch
# -> late-fusion training -> INT8 -> checks (TFLM, budget, float tensors, TFLM vs LiteRT) ->
# export, then (unless ABLATION=0) the ablation table into models/demo/ablation.{json,md} and
# the card. The demo trains without augmentation: the feature-domain augmentation lowered
# every variant's F1 on this corpus (see models/demo/ablation.md).
# Synthetic speech, not IEMOCAP: the model shows the pipeline works, nothing more.
# Usage: scripts/make_demo_model.sh [PYTHON]   (ABLATION=0 to skip the table; EPOCHS=N)
set -eu
PY=${1:-.venv/bin/python}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DIMS=$(tr -d '\n' < models/demo_dims.json)
EPOCHS=${EPOCHS:-12}
start=$(date +%s)
PYTHONPATH="$ROOT" "$PY" -m bench_app corpus synth --out "$WORK/synth" --per-class 100 --seed 0
PYTHONPATH="$ROOT" "$PY" -m bench_app train --corpus "synthetic:$WORK/synth" --variant late \
    --epochs "$EPOCHS" --kws-epochs 20 --seed 0 --dims "$DIMS" --out models/demo --overwrite \
    --no-augment
if [ "${ABLATION:-1}" != 0 ]; then
    PYTHONPATH="$ROOT" "$PY" -m bench_app train ablation --corpus "synthetic:$WORK/synth" \
        --epochs "$EPOCHS" --kws-epochs 20 --seed 0 --dims "$DIMS" --out models/demo
fi
echo "demo model regenerated in $(( $(date +%s) - start )) s"
