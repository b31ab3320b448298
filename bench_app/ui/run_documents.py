"""A document router for a view: it passes on the documents of the view's current run only.

Every view hears every run's documents (the bridge re-emits them all in the GUI thread); a
view subclasses `CurrentRunDocuments` with ``event_<stream>`` and ``stop`` methods (see
`bench_app.core.documents.DocumentRouter`) and the router drops documents of other runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bench_app.core.documents import DocumentRouter


class CurrentRunDocuments(DocumentRouter):
    """Routes the documents whose ``run_uid`` is ``current_uid()``; ignores the rest.

    Start documents carry the run's ``uid`` (no ``run_uid``), so they never pass: a view
    learns of a new run from the bridge's ``started`` signal instead.
    """

    def __init__(self, view: Any, current_uid: Callable[[], str | None]) -> None:
        self.view = view
        self._current_uid = current_uid

    def __call__(self, kind: str, doc: Mapping[str, Any]) -> None:
        uid = self._current_uid()
        if uid is not None and doc.get("run_uid") == uid:
            super().__call__(kind, doc)
