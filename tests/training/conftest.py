"""Shared helpers for the training tests: oneDNN off before TF loads, tiny configs and data."""

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
