"""The core stays headless: importing it pulls in neither Qt nor TensorFlow."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import bench_app.core

HEAVY = ("PySide6", "shiboken6", "pyqtgraph", "tensorflow", "keras")


def _core_modules() -> list[str]:
    return [
        m.name
        for m in pkgutil.walk_packages(bench_app.core.__path__, prefix="bench_app.core.")
        if not m.name.endswith("__main__")
    ]


def test_core_imports_neither_qt_nor_tensorflow():
    """Import every core module in a fresh interpreter and look at what got loaded."""
    modules = _core_modules()
    assert "bench_app.core.errors" in modules
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print(','.join(sorted(h for h in {HEAVY!r} if h in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert out.stdout.strip() == "", f"heavy modules loaded by bench_app.core: {out.stdout}"


def test_cli_help_is_light_and_fast():
    """`bench-app --help` must not import Qt or TensorFlow."""
    code = (
        "import sys\n"
        "from bench_app.cli import build_parser\n"
        "build_parser().format_help()\n"
        f"print(','.join(sorted(h for h in {HEAVY!r} if h in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == ""


def test_store_loads_without_the_run_engine():
    """Mirrors the import-linter contract: the store reads documents without importing runs."""
    store_modules = [m for m in _core_modules() if m.startswith("bench_app.core.store")]
    assert "bench_app.core.store.subscriber" in store_modules
    code = (
        "import importlib, sys\n"
        f"for m in {store_modules!r}: importlib.import_module(m)\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('bench_app.core.runs'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "", f"the store imported the run engine: {out.stdout}"
