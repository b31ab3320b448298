"""Checks a store's database before anything is read from it or written to it.

A damaged ``runs.sqlite3`` (a bad disk, a copy cut short, junk written over a page) used to be
found only when a run's writes failed in the background, after the run had been reported as
stored. SQLite's ``PRAGMA quick_check`` walks every page and index in a fraction of a second
for a bench-sized database, so the store runs it once when it is opened and refuses a damaged
or nonsensical database in one sentence, before any work is done.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .errors import StoreError

#: At most this many of quick_check's findings are quoted in the error.
_QUOTED_FINDINGS = 1


def check_database(conn: sqlite3.Connection, db_path: Path) -> None:
    """Raise `StoreError` unless ``conn``'s database passes quick_check and has a sane version."""
    damaged = (f"The run store {db_path} is damaged ({{}}); nothing was read from it or written "
               "to it: move it aside and use another --store.")
    try:
        findings = [row[0] for row in conn.execute("PRAGMA quick_check")]
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise StoreError(damaged.format(f"SQLite: {exc}")) from exc
    if findings != ["ok"]:
        quoted = "; ".join(findings[:_QUOTED_FINDINGS])
        raise StoreError(damaged.format(f"SQLite quick_check: {quoted}"))
    if version < 0:
        raise StoreError(
            f"The run store {db_path} has schema version {version}, which no bench writes; "
            "it was not opened (move it aside and use another --store)."
        )


def connect_readonly(db_path: Path) -> sqlite3.Connection:
    """A read-only connection that writes nothing, not even WAL side files, where it cannot.

    ``mode=ro`` reads a live store (a run being written is seen as it commits); on read-only
    media SQLite cannot create the WAL index, and ``immutable=1`` reads the file as it is.
    """
    uri = db_path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
        return sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False)
