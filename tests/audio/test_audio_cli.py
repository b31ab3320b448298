"""`bench-app audio devices [--json]` lists what PortAudio sees, so an engineer can find the name
to pass to --output. Checked against sounddevice's own query (the reference) in a child joined
to a private JACK server (bench_app/testing/jack.py), where real devices exist."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench_app.core.audio.devices import find_device

pytestmark = pytest.mark.timeout(90)

REFERENCE = """
import json, sounddevice as sd
print(json.dumps({"apis": [a["name"] for a in sd.query_hostapis()],
                  "devices": [[d["name"], d["max_input_channels"], d["max_output_channels"]]
                              for d in sd.query_devices()]}))
"""


def _run(env, *args):
    out = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=60,
                         env=env)  # fmt: skip
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_devices_json_matches_sounddevice_and_names_a_usable_output(jack_server):
    env = jack_server.env
    doc = json.loads(_run(env, "-m", "bench_app", "audio", "devices", "--json"))
    ref = json.loads(_run(env, "-c", REFERENCE))
    assert [a["name"] for a in doc["host_apis"]] == ref["apis"]
    got = [[d["name"], d["max_input_channels"], d["max_output_channels"]]
           for d in doc["devices"]]  # fmt: skip
    assert got == ref["devices"]
    jack = [d for d in doc["devices"] if d["host_api"] == "JACK Audio Connection Kit"]
    assert jack and any(d["max_output_channels"] > 0 for d in jack)
    # The spelling shown is what --output accepts: it resolves to that very device.
    out = next(d for d in jack if d["max_output_channels"] > 0)
    assert find_device(out["spec"], "output").index == out["index"]


def test_devices_text_lists_each_host_api_and_device(jack_server):
    text = _run(jack_server.env, "-m", "bench_app", "audio", "devices")
    doc = json.loads(_run(jack_server.env, "-m", "bench_app", "audio", "devices", "--json"))
    for api in doc["host_apis"]:
        assert f"{api['name']}: {len(api['device_indices'])} device(s)" in text
    for dev in doc["devices"]:
        assert f"[{dev['index']}] {dev['spec']!r}: in {dev['max_input_channels']}, " in text
    assert "--output" in text
