"""Label maps: from the codes a corpus writes to the classes a model is trained on.

The default map is the paper's (000): IEMOCAP ``neu`` -> neutral, ``hap`` and ``exc`` ->
happy, ``sad`` -> sad, ``ang`` -> angry, plus a "no emotion" class (``none``) made from
noise and from stretches where only the other speaker talks (see `iemocap`). A user map is a
JSON file::

    {"map": {"neu": "neutral", "hap": "happy", "exc": "happy", "fru": "angry"},
     "no_emotion": "none"}

``no_emotion`` may be null (no such class) or left out (``"none"``). Class order is the order
in which classes first appear in ``map``, then the no-emotion class; it is the class number
a model is trained with, so it is kept stable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bench_app.core.corpora.model import CorpusError

#: Every emotion code IEMOCAP's EmoEvaluation files use (FACTS.md).
IEMOCAP_CODES = ("neu", "hap", "exc", "sad", "ang", "fru", "fea", "sur", "dis", "oth", "xxx")

NO_EMOTION = "none"


@dataclass(frozen=True)
class LabelMap:
    """A mapping of corpus codes to class names, plus the optional no-emotion class.

    Attributes
    ----------
    mapping : dict
        Code -> class name; codes absent from it are left out (counted, not errors).
    no_emotion : str or None
        Name of the no-emotion class, or None to make no such clips.
    """

    mapping: dict[str, str]
    no_emotion: str | None = NO_EMOTION

    @property
    def class_names(self) -> tuple[str, ...]:
        """Classes in their stable order (first appearance in the map, then no-emotion)."""
        names = list(dict.fromkeys(self.mapping.values()))
        if self.no_emotion and self.no_emotion not in names:
            names.append(self.no_emotion)
        return tuple(names)

    def class_of(self, code: str) -> str | None:
        """The class of ``code``, or None if the map leaves it out."""
        return self.mapping.get(code)

    @classmethod
    def default(cls) -> LabelMap:
        """The paper's five classes: neutral, happy (hap + exc), sad, angry, none."""
        return cls({"neu": "neutral", "hap": "happy", "exc": "happy", "sad": "sad",
                    "ang": "angry"}, NO_EMOTION)

    @classmethod
    def from_json(cls, path: str | Path) -> LabelMap:
        """Read a map from a JSON file (format in the module docstring).

        Raises
        ------
        CorpusError
            One sentence naming the file: unreadable, not JSON, or not of the expected form.
        """
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise CorpusError(f"Cannot read the label map {path}: "
                              f"{exc.strerror or exc}.") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CorpusError(f"The label map {path} is not valid JSON "
                              f"({getattr(exc, 'msg', 'not UTF-8 text')}).") from None
        if not isinstance(data, dict) or not isinstance(data.get("map"), dict):
            raise CorpusError(f"The label map {path} must be a JSON object with a \"map\" "
                              "object of code -> class name.")
        mapping = data["map"]
        bad = [k for k, v in mapping.items() if not isinstance(v, str) or not v.strip()]
        if bad or not mapping:
            what = f"code {bad[0]!r} has no class name" if bad else "it maps no code"
            raise CorpusError(f"The label map {path} is unusable: {what}.")
        no_emotion = data.get("no_emotion", NO_EMOTION)
        if no_emotion is not None and (not isinstance(no_emotion, str) or not no_emotion):
            raise CorpusError(f"In the label map {path}, \"no_emotion\" must be a class name "
                              "or null.")
        unknown = sorted(set(data) - {"map", "no_emotion"})
        if unknown:
            raise CorpusError(f"The label map {path} has an unknown key {unknown[0]!r} "
                              "(only \"map\" and \"no_emotion\").")
        return cls({str(k): v.strip() for k, v in mapping.items()}, no_emotion)
