"""What the synthetic corpus says and how: per-class prosody, voices, sentences, keywords.

Styles follow the usual acoustic picture of acted emotion (higher, wider-ranged, faster
and louder pitch for happy and angry; low, flat, slow, quiet and pausing for sad), as
espeak-ng can render it: base pitch (``-p``), pitch range (SSML ``<prosody range>``),
rate (``-s``), amplitude (``-a``), pauses between words (``-g``) and between clauses
(``<break>``). The values are choices made for this maker, not measurements of IEMOCAP.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    """espeak-ng prosody for one class (each utterance jitters around it).

    Attributes
    ----------
    pitch : int
        Base pitch 0..99 (espeak-ng ``-p``).
    pitch_range : str
        SSML prosody range: x-low, low, medium, high, x-high.
    rate_wpm : int
        Words per minute (``-s``).
    amplitude : int
        0..200 (``-a``; 200 clips).
    word_gap : int
        Extra pause between words, in 10 ms units (``-g``).
    clause_break_ms : int
        Pause inserted at each comma.
    """

    pitch: int
    pitch_range: str
    rate_wpm: int
    amplitude: int
    word_gap: int
    clause_break_ms: int


#: IEMOCAP code -> style. ``hap`` and ``exc`` are both written, so the default map's merge
#: of the two into "happy" is exercised.
STYLES = {
    "neu": Style(pitch=45, pitch_range="medium", rate_wpm=165, amplitude=90, word_gap=0,
                 clause_break_ms=150),
    "hap": Style(pitch=72, pitch_range="x-high", rate_wpm=190, amplitude=120, word_gap=0,
                 clause_break_ms=80),
    "exc": Style(pitch=78, pitch_range="x-high", rate_wpm=205, amplitude=130, word_gap=0,
                 clause_break_ms=60),
    "sad": Style(pitch=28, pitch_range="x-low", rate_wpm=115, amplitude=55, word_gap=4,
                 clause_break_ms=450),
    "ang": Style(pitch=55, pitch_range="high", rate_wpm=210, amplitude=160, word_gap=0,
                 clause_break_ms=50),
}

#: Emotion classes of the corpus and the codes written for each (in turn).
CLASS_CODES = {"neutral": ("neu",), "happy": ("hap", "exc"), "sad": ("sad",),
               "angry": ("ang",)}

#: Dimensional values (valence, activation, dominance) written with each code, 1..5.
VAD = {"neu": (3.0, 2.5, 2.5), "hap": (4.0, 3.5, 3.0), "exc": (4.0, 4.0, 3.5),
       "sad": (1.5, 1.5, 2.0), "ang": (1.5, 4.5, 4.0)}

#: Session number -> (woman's voice, man's voice): several voices, one woman and one man
#: per session as in IEMOCAP.
VOICES = {1: ("en-us+f2", "en-us+m3"), 2: ("en-gb+f3", "en-gb+m1")}

#: Lines with neutral content; the class is carried by prosody and by the keyword that opens
#: and closes the line (`CLASS_KEYWORDS`).
SENTENCES = (
    "I told you I would be here at nine, and here I am.",
    "The train leaves at six, so we have some time.",
    "She moved the boxes into the kitchen yesterday.",
    "We talked about the house, the car, and the money.",
    "You can take the blue one, I will keep the other.",
    "He said the meeting was moved to Thursday.",
    "Nobody called, nobody wrote, nothing happened.",
    "I read your letter this morning, all of it.",
    "The results came in, and they are what they are.",
    "We could drive there, or we could take the bus.",
    "They opened the shop again after the summer.",
    "That is exactly what I asked you to do.",
)

#: Keywords in the Speech Commands style.
KEYWORDS = ("yes", "no", "up", "down", "left", "right", "stop", "go")

#: Keywords each class leans to. An utterance opens and closes with one of its class's words
#: with probability `KEYWORD_CUE`, else with any keyword: the words carry part of the class,
#: as emotional words do in acted speech, and neither the words nor the prosody carry all of
#: it, so the keyword branch has something to add to the acoustic one (paper 000's late fusion).
CLASS_KEYWORDS = {"neutral": ("up", "right"), "happy": ("yes", "go"), "sad": ("down", "left"),
                  "angry": ("no", "stop")}
KEYWORD_CUE = 0.75

#: Voices for keywords: all the corpus voices plus two more.
KEYWORD_VOICES = ("en-us+f2", "en-us+m3", "en-gb+f3", "en-gb+m1", "en-us+f4", "en-us+m7")


def keyword_line(sentence: str, word: str) -> str:
    """The spoken line: the keyword, the sentence, the keyword again."""
    body = sentence if sentence.startswith("I ") else sentence[0].lower() + sentence[1:]
    return f"{word.capitalize()}, {body[:-1]}, {word}{body[-1]}"


def ssml_text(sentence: str, style: Style) -> str:
    """The sentence as SSML with the style's pitch range and clause breaks."""
    body = sentence.replace(",", f', <break time="{style.clause_break_ms}ms"/>')
    return f'<speak><prosody range="{style.pitch_range}">{body}</prosody></speak>'
