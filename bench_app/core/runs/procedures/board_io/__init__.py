"""What procedures share to talk to a board: the session and the chunked stream events.

The players that emit the stimulus live in `bench_app.core.audio` (the `Player` protocol).
"""
