"""The run store's whole SQLite schema, as commented SQL, and its numbered migrations.

The schema version is SQLite's ``PRAGMA user_version``. ``MIGRATIONS[n]`` takes a database
from version ``n - 1`` to ``n``; ``migrate`` applies the missing ones in order, each in its own
transaction together with the version bump, so a database is always at exactly one version.
A new version is a new function appended below; an old one is never edited (after QCoDeS's
``db_upgrades``). Unlike QCoDeS there is no table per run: every run's documents share one
table keyed by (run, seq).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from .errors import StoreError

# ---- version 1: runs, their documents, their array artifacts ---------------------------------
_V1 = """
-- One row per run, written at its start document and completed at its stop document.
CREATE TABLE runs (
    uid           TEXT PRIMARY KEY,   -- 32 hex digits, the start document's uid
    procedure     TEXT NOT NULL,      -- the procedure's name: 'alignment', 'latency', ...
    status        TEXT NOT NULL       -- 'running' until the stop document arrives
                  CHECK (status IN ('running', 'success', 'failed', 'cancelled', 'interrupted')),
    reason        TEXT,               -- one sentence: why the run ended as it did
    started       REAL NOT NULL,      -- Unix seconds (UTC) of the start document
    ended         REAL,               -- Unix seconds of the stop document (or last document)
    parameters    TEXT NOT NULL,      -- JSON: the procedure's full parameters
    board_info    TEXT,               -- JSON: the board's INFO reply, NULL without a board
    host          TEXT,               -- JSON: host name, OS, Python, pid
    bench_version TEXT,
    summary       TEXT,               -- JSON: the run's summary (stop document)
    verdict       TEXT,               -- 'pass' / 'fail' / NULL, from the summary
    owner_host    TEXT,               -- host and pid of the process writing the run: a run
    owner_pid     INTEGER             -- still 'running' whose writer is dead was interrupted
);

-- Every document of every run, in emission order; the payload is the document as JSON, with
-- each numpy array replaced by {"artifact": name, "dtype": ..., "shape": [...]}.
CREATE TABLE documents (
    run_uid  TEXT NOT NULL REFERENCES runs (uid) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,        -- 0 for the start document, then +1 per document
    kind     TEXT NOT NULL CHECK (kind IN ('start', 'descriptor', 'event', 'stop')),
    stream   TEXT,                    -- the stream of descriptor and event documents
    time     REAL NOT NULL,           -- Unix seconds
    payload  TEXT NOT NULL,           -- JSON
    PRIMARY KEY (run_uid, seq)
) WITHOUT ROWID;
CREATE INDEX documents_by_stream ON documents (run_uid, stream, seq);

-- Arrays saved as .npy files beside the database: <store>/artifacts/<run_uid>/<name>.npy.
CREATE TABLE artifacts (
    run_uid  TEXT NOT NULL REFERENCES runs (uid) ON DELETE CASCADE,
    name     TEXT NOT NULL,           -- sanitised: [A-Za-z0-9._-]
    path     TEXT NOT NULL,           -- relative to the store folder, POSIX separators
    dtype    TEXT NOT NULL,           -- numpy dtype string, e.g. '<i2'
    shape    TEXT NOT NULL,           -- JSON list of ints
    sha256   TEXT NOT NULL,           -- of the .npy file's bytes
    nbytes   INTEGER NOT NULL,        -- of the array's data
    PRIMARY KEY (run_uid, name)
) WITHOUT ROWID;
"""

# ---- version 2: an engineer's note on a run; newest-first listing by index --------------------
_V2 = """
-- Free text an engineer attaches to a run afterwards (the Runs view edits it).
ALTER TABLE runs ADD COLUMN note TEXT;
-- 'runs list' and the Runs view show the newest runs first.
CREATE INDEX runs_by_started ON runs (started DESC);
"""

# ---- version 3: the models the bench trained, linked to their training runs -------------------
_V3 = """
-- One row per model file the bench knows, keyed by the sha256 of its .tflite bytes (what a
-- board run stores as board_info.model.sha256), so any run can say which training made it.
CREATE TABLE models (
    sha256           TEXT PRIMARY KEY,  -- 64 hex digits of the .tflite file
    name             TEXT NOT NULL,     -- the model's name (its models/NAME folder)
    path             TEXT,              -- where the .tflite was written (may have moved since)
    card             TEXT,              -- JSON: the model card
    training_run_uid TEXT               -- the 'train' run that made it; NULL when not known
                     REFERENCES runs (uid) ON DELETE SET NULL,
    created          REAL NOT NULL      -- Unix seconds when the row was written
);
CREATE INDEX models_by_training_run ON models (training_run_uid);
"""


def _upgrade_0_to_1(conn: sqlite3.Connection) -> None:
    _script(conn, _V1)


def _upgrade_1_to_2(conn: sqlite3.Connection) -> None:
    _script(conn, _V2)


def _upgrade_2_to_3(conn: sqlite3.Connection) -> None:
    _script(conn, _V3)


def _script(conn: sqlite3.Connection, sql: str) -> None:
    """Run ``;``-separated statements inside the caller's transaction (no implicit COMMIT)."""
    for statement in sqlite3_split(sql):
        conn.execute(statement)


def sqlite3_split(sql: str) -> list[str]:
    """Split a script into complete statements, ignoring ``--`` comments."""
    out, buf = [], ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip() and not all(
        ln.strip().startswith("--") or not ln.strip() for ln in buf.splitlines()
    ):
        raise ValueError(f"incomplete SQL statement: {buf.strip()[:60]}")
    return out


#: ``MIGRATIONS[n]`` upgrades a database from version n - 1 to n.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _upgrade_0_to_1,
    2: _upgrade_1_to_2,
    3: _upgrade_2_to_3,
}
LATEST_VERSION = max(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the database (0 for a new, empty one)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = LATEST_VERSION) -> int:
    """Bring the database up to ``target``; return the version it was at before.

    ``conn`` must be in autocommit mode (``isolation_level=None``). A database newer than this
    bench knows is refused with a ``StoreError`` rather than guessed at.
    """
    before = user_version(conn)
    if before > LATEST_VERSION:
        raise StoreError(
            f"The run store is at schema version {before}, newer than this bench's "
            f"{LATEST_VERSION}; update bench-app to open it."
        )
    for version in range(before + 1, target + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if user_version(conn) == version - 1:  # another process may have just done it
                MIGRATIONS[version](conn)
                conn.execute(f"PRAGMA user_version = {version:d}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return before
