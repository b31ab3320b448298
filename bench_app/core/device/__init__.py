"""The link to a Coral Dev Board Micro (real or virtual).

- `protocol`: the wire format as pure functions, bytes <-> messages, no I/O
  (specified in docs/protocol.md);
- `link`: a byte pipe over pyserial's ``serial_for_url`` with a reader thread and reconnect;
- `client`: the typed API the bench uses (`BoardClient`);
- `discovery`: serial ports plus the virtual board.

Nothing is imported here eagerly, so importing a submodule stays cheap.
"""
