"""Any folder with a ``labels.csv``: ``path,label[,speaker][,session]`` per line.

Paths are relative to the folder (absolute paths are allowed). A first line whose first cell
is ``path`` is a header. Labels are class names; with a label map they are codes mapped by it
(a label the map lacks is then a problem). Without a map the classes are the labels found,
sorted, so the class numbers do not depend on line order.
"""

from __future__ import annotations

import csv
from pathlib import Path

from bench_app.core.corpora.checks import read_text_lines, vet_audio
from bench_app.core.corpora.labels import LabelMap
from bench_app.core.corpora.model import Clip, Corpus, CorpusError, Problem

LABELS_FILE = "labels.csv"


def read_csv_folder(folder, label_map: LabelMap | None = None,
                    sample_rate: int = 16000) -> Corpus:
    """Read ``folder/labels.csv`` and vet every audio file it names.

    Raises
    ------
    CorpusError
        If the folder or its ``labels.csv`` does not exist.
    """
    root = Path(folder)
    labels_path = root / LABELS_FILE
    if not root.is_dir():
        raise CorpusError(f"The corpus folder {root} does not exist.")
    if not labels_path.is_file():
        raise CorpusError(f"{root} has no {LABELS_FILE} (one line per clip: "
                          "path,label[,speaker][,session]).")
    problems: list[Problem] = []
    lines = read_text_lines(labels_path, problems)
    if lines is None:
        raise CorpusError(f"Cannot read {labels_path}: {problems[-1].reason}")
    rows = []
    seen: set[str] = set()
    for number, text in lines:
        if not text.strip():
            continue
        cells = [c.strip() for c in next(csv.reader([text]))]
        if number == lines[0][0] and cells[0].lower() == "path":
            continue
        if len(cells) < 2 or len(cells) > 4 or not cells[0] or not cells[1]:
            why = ("garbled (undecodable bytes)" if "\ufffd" in text
                   else "not path,label[,speaker][,session]")
            problems.append(Problem(str(labels_path), number, f"is {why}: {text[:60]!r}."))
            continue
        if "\ufffd" in text:
            problems.append(Problem(str(labels_path), number, "holds bytes that are not UTF-8, "
                                    f"so its names are unreliable: {text[:60]!r}."))
            continue
        if cells[0] in seen:
            problems.append(Problem(str(labels_path), number, f"lists {cells[0]} a second "
                                    "time; the first line is kept."))
            continue
        seen.add(cells[0])
        rows.append((number, cells))
    if label_map is not None:
        class_names = label_map.class_names
    else:
        class_names = tuple(sorted({cells[1] for _, cells in rows}))
    corpus = Corpus(kind="csv", root=root, class_names=class_names, problems=problems)
    for number, cells in rows:
        code = cells[1]
        label = label_map.class_of(code) if label_map is not None else code
        if label is None:
            problems.append(Problem(str(labels_path), number, f"has the label {code!r}, "
                                    "which the label map does not map."))
            continue
        path = Path(cells[0]) if Path(cells[0]).is_absolute() else root / cells[0]
        info = vet_audio(path, problems, sample_rate)
        if info is None:
            continue
        corpus.clips.append(Clip(
            clip_id=cells[0], path=path, label=label, code=code,
            speaker=cells[2] or None if len(cells) > 2 else None,
            session=cells[3] or None if len(cells) > 3 else None,
            duration_s=info.seconds, source="file",
        ))
    return corpus
