"""`bench-app model check M.tflite`: is a model ready for the board? (`core.model.check`).

Exit status: 0 no findings, 1 findings (float tensors, an op TFLM lacks, over the 1.8 MB
budget, TFLM and LiteRT picking different classes, input not fed by the front end), 2 the file
cannot be read as a TFLite model at all (or a bad option). With ``--json`` the check is printed
as one JSON object in every case, unreadable included.
"""

from __future__ import annotations

import argparse
import json

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_UNREADABLE = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``model`` command group."""
    model = subparsers.add_parser("model", help="check a .tflite model for the board",
                                  description="Check a .tflite model for the board.")
    sub = model.add_subparsers(dest="model_command", metavar="ACTION", required=True)
    p = sub.add_parser(
        "check", help="ops, tensor types, TFLM load, arena, 1.8 MB budget, LiteRT, Edge TPU",
        description="Check a .tflite for the board: ops and tensor types (float tensors are "
        "findings), input/output quantization, TFLM load (names a missing op), smallest arena, "
        "weights + arena against the 1.8 MB budget, TFLM vs LiteRT on seeded random inputs, "
        "and what the Edge TPU would run (edgetpu_compiler if on PATH, else Coral's documented "
        "op list). Exit status: 0 no findings, 1 findings, 2 unreadable file.")  # fmt: skip
    p.add_argument("model", metavar="M.tflite")
    p.add_argument("--frontend-config", metavar="CFG",
                   help="front-end config JSON: the model's input must take its frames")
    p.add_argument("--inputs", metavar="NPY",
                   help="windows (.npy) for the TFLM vs LiteRT comparison instead of random")
    p.add_argument("--windows", type=int, default=3, help="random windows to compare (3)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    """Run the check and print it; the exit status says how it went (module doc)."""
    import numpy as np

    from bench_app.core.errors import ConfigError
    from bench_app.core.frontend import FrontendConfig
    from bench_app.core.model.check import check_lines, check_model

    cfg = FrontendConfig.from_json(args.frontend_config) if args.frontend_config else None
    inputs = None
    if args.inputs:
        try:
            inputs = np.load(args.inputs, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"--inputs {args.inputs} is not a readable .npy file ({exc}).") \
                from None
    if args.windows < 1:
        raise ConfigError("--windows must be at least 1.")
    check = check_model(args.model, cfg, inputs=inputs, agreement_windows=args.windows,
                        seed=args.seed)  # fmt: skip
    if args.json:
        print(json.dumps(check.to_json()))
    else:
        print("\n".join(check_lines(check)))
    if not check.readable:
        return EXIT_UNREADABLE
    return EXIT_OK if check.ok else EXIT_FINDINGS
