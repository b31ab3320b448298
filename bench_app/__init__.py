"""Hardware-in-the-loop test bench for the Coral Dev Board Micro speech-emotion model."""

__version__ = "0.1.0"
