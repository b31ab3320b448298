"""The training / INT8 backend: Keras models, HRF, quantization, checks, export.

The only package of the bench that imports TensorFlow and Keras; it runs in its own process
(`python -m bench_app.training`, started by `bench-app train`), never in the window or the CLI.
This ``__init__`` imports nothing, so `bench_app.training.config` stays importable without TF.
"""
