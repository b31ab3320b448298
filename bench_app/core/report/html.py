"""One self-contained HTML file from report blocks: inline CSS, figures as data: PNGs.

Every piece of text goes through `html.escape` (quotes included); the file references nothing
outside itself, so it opens the same from a mail attachment or a USB stick.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape

from bench_app.core.report.blocks import Block, FigureBlock, Heading, Paragraph, Table

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 60em;
       color: #1a202c; line-height: 1.4; }
h1 { font-size: 1.5em; border-bottom: 2px solid #2d3748; padding-bottom: .2em; }
h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #cbd5e0; }
h3 { font-size: 1em; margin-bottom: .3em; }
table { border-collapse: collapse; margin: .3em 0 1em 0; font-size: .9em; }
th, td { border: 1px solid #cbd5e0; padding: .2em .6em; text-align: left;
         vertical-align: top; overflow-wrap: anywhere; }
th { background: #edf2f7; }
td:first-child { white-space: nowrap; overflow-wrap: normal; }  /* keys never split mid-word */
tr.lint td { background: #fed7d7; font-weight: bold; }
p.pass { color: #22543d; background: #c6f6d5; padding: .4em .8em; font-weight: bold; }
p.fail { color: #742a2a; background: #fed7d7; padding: .4em .8em; font-weight: bold; }
p.warn { color: #744210; background: #fefcbf; padding: .4em .8em; }
p.note { background: #ebf8ff; padding: .4em .8em; border-left: 4px solid #3182ce; }
div.figure { margin: 1em 0; }
div.figure img { max-width: 100%; height: auto; }
p.caption { font-size: .85em; color: #4a5568; margin-top: 0; }
"""


def _table(block: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in block.columns)
    body = []
    for i, row in enumerate(block.rows):
        attr = ' class="lint"' if i in block.highlight else ""
        cells = "".join(f"<td>{escape(cell)}</td>" for cell in row)
        body.append(f"<tr{attr}>{cells}</tr>")
    caption = f"<p>{escape(block.caption)}</p>" if block.caption else ""
    return (f"<h3>{escape(block.title)}</h3>\n<table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>{caption}")


def _figure(block: FigureBlock) -> str:
    data = base64.b64encode(block.png).decode("ascii")
    width = round(block.width_in * 96)
    caption = f'<p class="caption">{escape(block.caption)}</p>' if block.caption else ""
    return (f'<div class="figure"><h3>{escape(block.title)}</h3>\n<p><img alt="'
            f'{escape(block.title)}" width="{width}" src="data:image/png;base64,{data}"></p>'
            f"{caption}</div>")


def block_html(block: Block) -> str:
    """The HTML of one block."""
    if isinstance(block, Heading):
        level = min(max(block.level, 1), 3)
        return f"<h{level}>{escape(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        return f'<p class="{escape(block.tone)}">{escape(block.text)}</p>'
    if isinstance(block, Table):
        return _table(block)
    return _figure(block)


def render_html(blocks: Sequence[Block], title: str) -> str:
    """The full HTML document for ``blocks``."""
    body = "\n".join(block_html(b) for b in blocks)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"{body}\n</body>\n</html>\n")
