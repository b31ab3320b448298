"""Read a bench report's HTML the way a test needs to: a titled table as rows."""

from __future__ import annotations


def table_rows(text: str, title: str) -> dict[str, tuple[str, ...]]:
    """The rows of the table after <h3>title</h3>, keyed by their first cell."""
    section = text.split(f"<h3>{title}</h3>", 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in section.split("<tr")[2:]:
        cells = [c.split("</td>", 1)[0] for c in row.split("<td>")[1:]]
        rows[cells[0]] = tuple(cells[1:])
    return rows
