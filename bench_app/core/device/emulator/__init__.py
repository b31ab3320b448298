"""The virtual Coral Dev Board Micro: a process that serves the board protocol on a pty.

Start one with `bench-app emulate` (or `process.start_emulator` from Python). Modules:

- `server`: the board's main loop (`VirtualBoard`): host messages, audio blocks, pacing;
- `board`: front end (reset per clip) + model -> FRAME / PCM / RESULT messages;
- `inject`: the INJECT_PCM buffer (go-back-N, clips, ACK when consumed);
- `model_runner`: the .tflite in the TFLM interpreter on sliding windows;
- `channel`: the acoustic channel of the virtual speaker path (seeded, streaming);
- `sources`: virtual speaker socket, sounddevice capture, the microphone;
- `clock`: board time from the sample counter, paced at ``--speed`` / ``--fast``;
- `faults`, `transmitter`, `pty_port`: fault injection with its ledger, numbering, the port;
- `process`: start / stop / discover emulator processes from the host.
"""
