"""A progress-bar subscriber for terminals: tqdm when installed, else one plain text line.

It draws the ``progress`` stream (``{"done", "total", "message"}``) and, at the stop
document, prints how the run ended. tqdm is not a runtime dependency of the bench (it comes
with the test extras), so the plain line is the fallback, not an afterthought.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

from bench_app.core.documents import DocumentRouter, EventDoc, StartDoc, StopDoc


def _load_tqdm() -> Any:
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm


class ProgressSubscriber(DocumentRouter):
    """Shows a run's progress on ``file`` (stderr by default).

    Parameters
    ----------
    file
        Where to draw.
    use_tqdm
        ``None``: tqdm if importable; ``False``: always the plain line.
    min_interval_s
        The plain line is redrawn at most this often.
    """

    def __init__(
        self, file: TextIO | None = None, *, use_tqdm: bool | None = None, min_interval_s=0.1
    ) -> None:
        self.file = file if file is not None else sys.stderr
        self._tqdm_cls = _load_tqdm() if use_tqdm in (None, True) else None
        self._bar: Any = None
        self._label = ""
        self._min_interval = min_interval_s
        self._last_draw = 0.0
        self._line_len = 0

    def start(self, doc: StartDoc) -> None:
        self._label = f"{doc['procedure']} {doc['uid'][:8]}"

    def event_progress(self, doc: EventDoc) -> None:
        """The ``progress`` stream (`STREAM_PROGRESS`): redraw the bar."""
        self._update(doc["data"])

    def stop(self, doc: StopDoc) -> None:
        self._finish(doc)

    def _update(self, data: Mapping[str, Any]) -> None:
        done, total, message = data.get("done", 0), data.get("total"), data.get("message", "")
        if self._tqdm_cls is not None:
            if self._bar is None:
                self._bar = self._tqdm_cls(
                    total=total, desc=self._label, file=self.file, leave=False, dynamic_ncols=True
                )
            if total is not None and self._bar.total != total:
                self._bar.total = total
            self._bar.n = done
            self._bar.set_postfix_str(str(message), refresh=False)
            self._bar.refresh()
            return
        t = time.monotonic()
        if t - self._last_draw < self._min_interval and not (total and done >= total):
            return
        self._last_draw = t
        self._draw(plain_line(self._label, done, total, message))

    def _draw(self, line: str) -> None:
        pad = " " * max(0, self._line_len - len(line))
        self.file.write("\r" + line + pad)
        self.file.flush()
        self._line_len = len(line)

    def _finish(self, doc: Mapping[str, Any]) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._line_len:
            self._draw("")
            self.file.write("\r")
        self.file.write(f"{self._label}: {doc['status']} - {doc['reason']}\n")
        self.file.flush()


def plain_line(label: str, done: float, total: float | None, message: str = "") -> str:
    """One text progress line: ``label [#####-----]  50% 5/10 message`` (no bar without total)."""
    if total:
        frac = min(max(done / total, 0.0), 1.0)
        width = 20
        filled = int(round(frac * width))
        bar = "#" * filled + "-" * (width - filled)
        return f"{label} [{bar}] {frac * 100:3.0f}% {done:g}/{total:g} {message}".rstrip()
    return f"{label} {done:g} {message}".rstrip()
