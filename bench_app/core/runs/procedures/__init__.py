"""The bench's measurements, one package each, all driven by the run engine.

- ``alignment``: board frames vs the host reference of the same audio (parity, acoustic path).
- ``latency``: the board's own split and sound onset to RESULT.
- ``tick``: a board-less procedure for tests and demos of the engine.
- ``board_io``: what procedures share to talk to a board (session, chunked stream events).
"""
