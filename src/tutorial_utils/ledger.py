"""The claims ledger: every named claim (:func:`runtime.claim`) measured over seeds and thread counts.

``make sweep`` runs the chapters with ``TUTORIAL_LEDGER`` set and keeps the rows in ``benchmarks/claims.csv``.
This module reads them, says how far each claim stands from failing, and renders the book's page of it.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections import defaultdict
from pathlib import Path

from .runtime import LEDGER_FIELDS

__all__ = ["read", "write", "merge", "margin", "summary", "too_close", "page", "render"]
RUN = ("chapter", "profile", "seed", "threads", "device")  # the columns that name one run of a chapter


def read(path) -> list[dict]:
    """The rows of a ledger file, values and bounds as floats."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        missing = set(LEDGER_FIELDS) - set(row)
        if missing:
            raise ValueError(f"{path} is not a claims ledger: its rows lack {sorted(missing)}")
        row["value"], row["bound"], row["headroom"] = float(row["value"]), float(row["bound"]), float(row["headroom"])
    return rows


def write(path, rows: list[dict]) -> None:
    """Write ``rows`` sorted by chapter, claim, profile, device, seed and threads, so diffs stay readable."""
    key = lambda r: (r["chapter"], r["profile"], r["device"], int(r["seed"]), int(r["threads"]), r["claim"])  # noqa: E731
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, LEDGER_FIELDS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in sorted(rows, key=key):
            writer.writerow({**row, "value": f"{row['value']:.6g}", "bound": f"{row['bound']:.6g}"})


def merge(old: list[dict], new: list[dict]) -> list[dict]:
    """``old`` with every run that ``new`` measured again replaced by its new rows."""
    rerun = {tuple(str(r[c]) for c in RUN) for r in new}
    return [r for r in old if tuple(str(r[c]) for c in RUN) not in rerun] + new


def margin(row: dict) -> float:
    """How far the value stands beyond the bound, as a share of ``|bound|`` (negative: the claim failed)."""
    value, bound = row["value"], row["bound"]
    gap = value - bound if row["op"] in (">", ">=") else bound - value
    if bound == 0:
        return math.inf if gap > 0 else (0.0 if gap == 0 else -math.inf)
    return gap / abs(bound)


def summary(rows: list[dict]) -> list[dict]:
    """One entry per (chapter, profile, claim): runs, bounds, the value's min, median and max, the worst margin
    and the headroom it must keep."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["chapter"], row["profile"], row["claim"], row["op"]].append(row)
    out = []
    for (chapter, profile, name, op), group in groups.items():
        values = [r["value"] for r in group]
        bounds = sorted({r["bound"] for r in group})
        worst = min(group, key=margin)
        out.append(
            {
                "chapter": chapter,
                "profile": profile,
                "claim": name,
                "op": op,
                "bounds": bounds,
                "runs": len(group),
                "min": min(values),
                "median": statistics.median(values),
                "max": max(values),
                "margin": margin(worst),
                "headroom": max(r["headroom"] for r in group),
                "worst": worst,
            }
        )
    return sorted(out, key=lambda s: (s["chapter"], s["profile"], s["claim"]))


def too_close(rows: list[dict]) -> list[dict]:
    """The summaries whose worst run leaves less than the claim's headroom (or fails)."""
    return [s for s in summary(rows) if s["margin"] < s["headroom"]]


def _number(x: float) -> str:
    return f"{x:.3g}"


def page(rows: list[dict]) -> str:
    """The book's "How sure is each number" page, as MyST markdown, from the ledger's rows."""
    runs = {tuple(str(r[c]) for c in RUN) for r in rows}
    seeds = sorted({int(r["seed"]) for r in rows})
    threads = sorted({int(r["threads"]) for r in rows})
    devices = sorted({r["device"] for r in rows})
    torches = sorted({r["torch"] for r in rows})
    lines = [
        "# How sure is each number",
        "",
        "Every measured sentence in this book has a claim under it: a value that training, sampling or random",
        "data decides, and a bound it must clear. One run on one machine is one draw, so `make sweep` runs each",
        "chapter over several seeds (`TUTORIAL_SEED`) and thread counts and records every claim in",
        "`benchmarks/claims.csv`. This page is that file, summarised. For each claim: the bound the chapter",
        "asserts, the smallest, median and largest value over the runs, and the *margin*, how far the worst run",
        "stands beyond the bound as a share of the bound. A test keeps every margin above the claim's headroom",
        "(10% unless the chapter argues otherwise in a comment), so a claim that a new seed could break fails CI",
        "before it fails a reader.",
        "",
        f"Behind this page: {len(runs)} runs of the chapters, seeds {_span(seeds)}, threads {_span(threads)}, "
        f"device {', '.join(devices)}, torch {', '.join(torches)}.",
        "",
    ]
    by_chapter: dict[str, list[dict]] = defaultdict(list)
    for s in summary(rows):
        by_chapter[s["chapter"]].append(s)
    for chapter, items in sorted(by_chapter.items()):
        lines += [f"## Chapter {chapter[:2]}", "", f"{{doc}}`../notebooks/{chapter}`", ""]
        lines += ["| claim | profile | bound | min | median | max | runs | margin |", "|---" * 8 + "|"]
        for s in items:
            bound = _number(s["bounds"][0]) if len(s["bounds"]) == 1 else "varies"
            margin_ = "∞" if math.isinf(s["margin"]) else f"{s['margin']:.0%}"
            name = s["claim"].replace("|", "\\|")
            lines.append(
                f"| {name} | {s['profile']} | {s['op']} {bound} | {_number(s['min'])} | {_number(s['median'])} | "
                f"{_number(s['max'])} | {s['runs']} | {margin_} |"
            )
        lines.append("")
    return "\n".join(lines)


def _span(values: list[int]) -> str:
    if values and values == list(range(values[0], values[-1] + 1)) and len(values) > 2:
        return f"{values[0]}–{values[-1]}"
    return ", ".join(map(str, values))


def render(ledger_path, page_path) -> bool:
    """Write the page for the ledger at ``ledger_path``; returns whether the file changed."""
    text = page(read(ledger_path))
    path = Path(page_path)
    old = path.read_text() if path.exists() else None
    path.write_text(text)
    return old != text
