"""What `bench-app corpus inspect` shows: counts per class, session and speaker, durations,
and every problem met while reading the corpus."""

from __future__ import annotations

from collections import Counter, defaultdict

from bench_app.core.corpora.model import Corpus


def summarize(corpus: Corpus) -> dict:
    """A JSON-ready summary of ``corpus``.

    Keys: ``kind``, ``root``, ``class_names``, ``clips``, ``seconds``, ``per_class`` (class ->
    clips and seconds, every class listed even when empty), ``per_session``, ``per_speaker``,
    ``per_source``, ``durations`` (min / median / max seconds), ``skipped_codes`` (codes left
    out by the label map), ``background`` (keyword corpora), ``problems`` (each with path,
    line, reason, skipped) and ``problems_skipped`` (how many items were left out).
    """
    per_class: dict[str, dict] = {name: {"clips": 0, "seconds": 0.0}
                                  for name in corpus.class_names}
    seconds_by: dict[str, defaultdict] = {"session": defaultdict(float),
                                          "speaker": defaultdict(float)}
    counts: dict[str, Counter] = {"session": Counter(), "speaker": Counter(),
                                  "source": Counter()}
    for clip in corpus.clips:
        entry = per_class.setdefault(clip.label, {"clips": 0, "seconds": 0.0})
        entry["clips"] += 1
        entry["seconds"] += clip.duration_s
        for key, value in (("session", clip.session), ("speaker", clip.speaker)):
            counts[key][value or "-"] += 1
            seconds_by[key][value or "-"] += clip.duration_s
        counts["source"][clip.source] += 1
    durations = sorted(c.duration_s for c in corpus.clips)
    return {
        "kind": corpus.kind,
        "root": str(corpus.root),
        "class_names": list(corpus.class_names),
        "clips": len(corpus.clips),
        "seconds": round(sum(durations), 3),
        "per_class": {k: {"clips": v["clips"], "seconds": round(v["seconds"], 3)}
                      for k, v in per_class.items()},
        "per_session": _table(counts["session"], seconds_by["session"]),
        "per_speaker": _table(counts["speaker"], seconds_by["speaker"]),
        "per_source": dict(sorted(counts["source"].items())),
        "durations": {
            "min": round(durations[0], 3) if durations else None,
            "median": round(durations[len(durations) // 2], 3) if durations else None,
            "max": round(durations[-1], 3) if durations else None,
        },
        "skipped_codes": dict(sorted(corpus.skipped_codes.items())),
        "background": {"files": len(corpus.background),
                       "seconds": round(sum(c.duration_s for c in corpus.background), 3)},
        "problems": [p.to_dict() for p in corpus.problems],
        "problems_skipped": sum(p.skipped for p in corpus.problems),
    }


def _table(counts: Counter, seconds: dict) -> dict:
    return {k: {"clips": counts[k], "seconds": round(seconds[k], 3)} for k in sorted(counts)}


def format_summary(summary: dict) -> str:
    """The summary as text for a terminal."""
    out = [f"{summary['kind']} corpus at {summary['root']}: {summary['clips']} clips, "
           f"{summary['seconds'] / 60:.1f} min"]
    d = summary["durations"]
    if d["min"] is not None:
        out.append(f"clip length: min {d['min']:.2f} s, median {d['median']:.2f} s, "
                   f"max {d['max']:.2f} s")
    for title, key in (("class", "per_class"), ("session", "per_session"),
                       ("speaker", "per_speaker")):
        table = summary[key]
        if not table or list(table) == ["-"]:
            continue
        out.append(f"per {title}:")
        width = max(len(k) for k in table)
        out += [f"  {k:<{width}}  {v['clips']:6d} clips  {v['seconds']:9.1f} s"
                for k, v in table.items()]
    if summary["skipped_codes"]:
        codes = ", ".join(f"{k} {v}" for k, v in summary["skipped_codes"].items())
        out.append(f"left out by the label map: {codes}")
    if summary["background"]["files"]:
        b = summary["background"]
        out.append(f"background noise: {b['files']} files, {b['seconds']:.1f} s")
    problems = summary["problems"]
    out.append(f"problems: {len(problems)} ({summary['problems_skipped']} items skipped)")
    for p in problems:
        where = f"{p['path']}:{p['line']}" if p["line"] else p["path"]
        tag = "skipped" if p["skipped"] else "note"
        out.append(f"  [{tag}] {where}: {p['reason']}")
    return "\n".join(out)
