"""Who made a virtual board's port link, so a stale link is never followed to another board.

A virtual board's port is a symlink to its pseudo-terminal (``/dev/pts/N``). If the board is
killed (``kill -9``), the link stays and the kernel soon gives ``/dev/pts/N`` to another
program - possibly another virtual board - so opening the old path would talk to the wrong
board. The board therefore writes ``<link>.owner`` beside the link: its pid, its process start
time (pids are reused too) and the terminal the link points at. Before a port is opened,
`check_port_owner` compares all three with what is true now and refuses a stale link in one
sentence. Paths without an owner file (real serial ports, URLs) are not affected.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from bench_app.core.errors import LinkError

OWNER_SUFFIX = ".owner"


def process_start(pid: int) -> int | None:
    """The start time of process ``pid`` in clock ticks since boot (None if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    if fields[0] == "Z":  # a zombie has ended
        return None
    return int(fields[19])


def owner_path(link: str | os.PathLike[str]) -> Path:
    """The owner file of the port link ``link``."""
    link = Path(link)
    return link.with_name(link.name + OWNER_SUFFIX)


def write_port_owner(link: str | os.PathLike[str], target: str) -> None:
    """Record this process as the owner of ``link`` -> ``target`` (written whole)."""
    path = owner_path(link)
    doc = {"pid": os.getpid(), "start": process_start(os.getpid()), "target": target}
    tmp = path.with_name(path.name + ".new")
    tmp.write_text(json.dumps(doc))
    os.replace(tmp, path)


def remove_port_owner(link: str | os.PathLike[str]) -> None:
    """Remove the owner file of ``link`` (the link is going away)."""
    with contextlib.suppress(FileNotFoundError):
        owner_path(link).unlink()


def check_port_owner(url: str) -> None:
    """Raise `LinkError` if ``url`` is a virtual board's link whose board is gone."""
    path = Path(url)
    owner = owner_path(path)
    if "://" in url or not owner.exists():
        return
    try:
        doc = json.loads(owner.read_text())
        pid, start, target = int(doc["pid"]), doc.get("start"), str(doc["target"])
    except (OSError, ValueError, KeyError, TypeError):
        raise LinkError(f"The port {url} has an unreadable owner file {owner}; its virtual "
                        "board cannot be confirmed, so it is not opened.") from None
    alive = process_start(pid)
    if alive is None or (start is not None and alive != start):
        raise LinkError(f"The virtual board that made {url} (process {pid}) is gone; the "
                        f"link is stale and {target} may now belong to another program.")
    try:
        now = os.readlink(path)
    except OSError:
        return  # the board is between resets (no link): opening fails on its own
    if now != target:
        raise LinkError(f"The port {url} points at {now}, not at {target} where its virtual "
                        "board put it; it is not opened.")
