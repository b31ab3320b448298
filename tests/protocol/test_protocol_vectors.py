"""The golden protocol vectors (fixtures/protocol/) against the bench's own codec.

Each ``NAME.bin`` must decode (with the streaming `Decoder`, no fault counted) to the message
``NAME.json`` describes, the JSON must re-encode to the very same bytes, and the generator
script must reproduce every file byte for byte, so the vectors firmware is tested against can
never drift from the codec the bench runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from bench_app.core.device.protocol import Decoder, MsgType, encode
from bench_app.core.device.protocol.plain import from_plain, to_plain
from bench_app.core.errors import ProtocolError

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "fixtures" / "protocol"
NAMES = sorted(p.stem for p in VECTORS.glob("*.json"))


def test_every_message_type_has_a_vector():
    types = {json.loads((VECTORS / f"{n}.json").read_text())["message_type"] for n in NAMES}
    assert types == {t.name for t in MsgType}


@pytest.mark.parametrize("name", NAMES)
def test_bin_decodes_to_json_and_json_encodes_to_bin(name):
    wire = (VECTORS / f"{name}.bin").read_bytes()
    doc = json.loads((VECTORS / f"{name}.json").read_text())
    header = doc["header"]
    assert len(wire) == doc["frame_size"] == 24 + header["length"]
    assert wire[:4].hex() == header["sync"]
    assert zlib.crc32(wire[:16]) == header["header_crc"]
    assert zlib.crc32(wire[:-4]) == header["frame_crc"]
    decoder = Decoder()
    packets = decoder.feed(wire)
    assert len(packets) == 1 and decoder.buffered == 0
    assert decoder.stats.crc_errors == decoder.stats.broken_frames == 0
    packet = packets[0]
    assert packet.seq == header["seq"]
    assert packet.stream.name == doc["stream"]
    assert int(packet.message.TYPE) == header["type"] == MsgType[doc["message_type"]]
    assert to_plain(packet.message) == doc["payload"]
    rebuilt = from_plain(doc["message_type"], doc["payload"])
    assert encode(rebuilt, header["seq"]) == wire


def test_a_changed_field_no_longer_matches():
    doc = json.loads((VECTORS / "FRAME.json").read_text())
    doc["payload"]["features"][3] += 1
    wire = (VECTORS / "FRAME.bin").read_bytes()
    assert encode(from_plain("FRAME", doc["payload"]), doc["header"]["seq"]) != wire


def test_from_plain_explains_bad_input():
    with pytest.raises(ProtocolError, match="not a board protocol message type"):
        from_plain("SHOUT", {})
    with pytest.raises(ProtocolError, match="lack 'tag'"):
        from_plain("INJECT_PCM", {"samples": [1]})


def test_the_script_regenerates_identical_files(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_protocol_vectors.py"),
                    "--out", str(tmp_path)], check=True, capture_output=True, cwd=ROOT,
                   env=env)  # fmt: skip
    made = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in VECTORS.iterdir() if p.suffix in (".bin", ".json"))
    assert made == committed
    for name in made:
        assert (tmp_path / name).read_bytes() == (VECTORS / name).read_bytes(), name
