"""`bench-app audio devices`: the sound devices and host APIs PortAudio sees.

An engineer wiring a real speaker needs the name to pass to ``bench-app run ... --output``; this
lists every device with its channels, rate and host API, and the spelling that names it
unambiguously (``"name, host API"`` when several host APIs offer the same name).
"""

from __future__ import annotations

import argparse

EPILOG = """\
examples:
  bench-app audio devices
  bench-app audio devices --json
  bench-app run alignment --device /dev/ttyACM0 --output "USB Audio" --level-dbfs -12

PortAudio scans devices when it starts: a sound server (JACK, PipeWire) started later is
seen by the next command, not by a window already open.
"""


def register(subparsers) -> None:
    """Add ``audio devices``."""
    audio = subparsers.add_parser(
        "audio", help="list sound devices (for --output)",
        description="Sound devices and host APIs as PortAudio sees them.")  # fmt: skip
    actions = audio.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser(
        "devices", help="list sound input/output devices and host APIs",
        description="List the sound devices PortAudio found, by host API, with their input and "
                    "output channels, default rate and the name to pass to --output.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_devices)


def cmd_devices(args) -> int:
    """Print the devices and host APIs; exit 0 (2, via BenchError, without PortAudio)."""
    import dataclasses
    import json
    from collections import Counter

    from bench_app.core.audio.devices import list_devices, list_host_apis

    apis = list_host_apis()
    devices = list_devices()
    names = Counter(d.name for d in devices)
    rows = [{**dataclasses.asdict(d), "spec": d.name if names[d.name] == 1 else d.label}
            for d in devices]  # fmt: skip
    if args.json:
        doc = {"host_apis": [dataclasses.asdict(a) for a in apis], "devices": rows}
        for api in doc["host_apis"]:
            api["device_indices"] = list(api["device_indices"])
        print(json.dumps(doc))
        return 0
    for api in apis:
        print(f"{api.name}: {len(api.device_indices)} device(s)")
        for row in (r for r in rows if r["host_api"] == api.name):
            marks = [w for w, on in (("default input", row["is_default_input"]),
                                     ("default output", row["is_default_output"])) if on]
            print(f"  [{row['index']}] {row['spec']!r}: in {row['max_input_channels']}, "
                  f"out {row['max_output_channels']}, {row['default_sample_rate']:.0f} Hz"
                  + (f" ({', '.join(marks)})" if marks else ""))  # fmt: skip
    if not devices:
        print("No sound devices found (is a sound server running, or a card attached?).")
    else:
        print("Pass the quoted name (or the index) to --output.")
    return 0
