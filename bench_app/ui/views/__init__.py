"""The window's jobs: Alignment, Latency, Model and Runs, one view each."""
