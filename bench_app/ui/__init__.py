"""The bench window: thin PySide6 + pyqtgraph widgets over the headless core."""
