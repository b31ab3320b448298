"""A virtual board that cannot start says why once: the child's own `bench-app: error:` prefix
is not repeated inside the host's message."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench_app.core.device.emulator.process import start_emulator
from bench_app.core.errors import LinkError

pytestmark = pytest.mark.timeout(60)


def test_start_error_carries_the_childs_sentence_without_its_prefix():
    with pytest.raises(LinkError) as info, start_emulator(["--channel", "bogus=1"]):
        pass
    text = str(info.value)
    assert text.startswith("The virtual board failed to start: Unknown channel key 'bogus'")
    assert "error:" not in text


def test_cli_prints_one_prefix_for_a_bad_sim_config():
    out = subprocess.run([sys.executable, "-m", "bench_app", "device", "info", "--device", "sim",
                          "--sim", "--channel bogus=1"], capture_output=True, text=True,
                         timeout=60)  # fmt: skip
    assert out.returncode == 2
    assert out.stderr.count("error:") == 1 and "Unknown channel key 'bogus'" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
