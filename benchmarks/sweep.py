"""The claims sweep: every chapter with a named claim, run under nbval over seeds x thread counts.

Each run executes one notebook with ``TUTORIAL_SEED``, ``OMP_NUM_THREADS`` and ``TUTORIAL_PROFILE`` set, and
``TUTORIAL_LEDGER`` pointing at a file of its own; ``TUTORIAL_CLAIMS=record`` lets a run go on past a failed
claim, so the ledger sees every claim of every run. Runs share the machine's cores (a 1-thread run beside
another, a 2-thread run alone on 2 cores). The rows then replace those of the same runs in
``benchmarks/claims.csv``, the book's "How sure is each number" page is rendered from it, and the claims with
the least headroom are printed. ``make sweep`` runs the quick profile; see ``--help`` for the rest.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tutorial_utils import ledger

ROOT = Path(__file__).resolve().parents[1]
LEDGER = ROOT / "benchmarks" / "claims.csv"
PAGE = ROOT / "book" / "how_sure.md"


def chapters_with_claims() -> list[str]:
    return sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.py") if "runtime.claim(" in p.read_text())


def numbers(text: str) -> list[int]:
    """'0-4' or '1,2' or '0-2,7' as a list of ints."""
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


def run(chapter: str, profile: str, seed: int, threads: int, folder: Path) -> tuple[subprocess.Popen, Path]:
    out = folder / f"{chapter}-{profile}-s{seed}-t{threads}.csv"
    env = {
        **os.environ,
        "TUTORIAL_PROFILE": profile,
        "TUTORIAL_SEED": str(seed),
        "TUTORIAL_LEDGER": str(out),
        "TUTORIAL_CHAPTER": chapter,
        "TUTORIAL_CLAIMS": "record",
        "OMP_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
        "NBVAL_CACHE": "0",
        "MPLBACKEND": "Agg",
        # idle OpenMP threads sleep rather than spin: on a shared machine spinning threads stall each other (a
        # 16 s notebook took 350 s beside other work); the results do not change, only the waiting
        "OMP_WAIT_POLICY": "PASSIVE",
    }
    cmd = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout=7200"]
    cmd += ["-p", "no:cacheprovider", "-q", "-x", f"notebooks/{chapter}.ipynb"]
    log = open(folder / f"{out.stem}.log", "w")
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT), out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="quick", choices=("quick", "full"))
    parser.add_argument("--seeds", default="0-4", help="e.g. 0-4 or 0,3")
    parser.add_argument("--threads", default="1,2", help="thread counts, e.g. 1,2,4")
    parser.add_argument("--chapters", default="", help="e.g. 05,09 (default: every chapter with a claim)")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1, help="threads running at once")
    parser.add_argument("--ledger", default=str(LEDGER))
    parser.add_argument("--no-write", action="store_true", help="print the summary, leave the ledger alone")
    parser.add_argument("--missing", action="store_true", help="only the runs the ledger does not hold yet")
    args = parser.parse_args()

    chapters = chapters_with_claims()
    if args.chapters:
        wanted = args.chapters.split(",")
        chapters = [c for c in chapters if c[:2] in wanted]
    threads = sorted(numbers(args.threads), reverse=True)  # the runs that need every core first
    jobs = [(c, s, t) for t in threads for c in chapters for s in numbers(args.seeds)]
    held = ledger.read(args.ledger) if Path(args.ledger).exists() else []
    if args.missing:
        done = {(r["chapter"], int(r["seed"]), int(r["threads"])) for r in held if r["profile"] == args.profile}
        jobs = [j for j in jobs if j not in done]
    print(
        f"{len(jobs)} runs: {args.profile} profile, chapters {', '.join(c[:2] for c in chapters)}, "
        f"seeds {args.seeds}, threads {args.threads}, on {args.cores} cores",
        flush=True,
    )

    folder = Path(tempfile.mkdtemp(prefix="sweep-"))
    running: list[tuple[subprocess.Popen, Path, int, float, tuple]] = []
    outputs, failed = [], []
    start = time.time()
    while jobs or running:
        busy = sum(t for _, _, t, _, _ in running)
        fits = [j for j in jobs if busy + j[2] <= args.cores or not running]
        if fits:
            job = fits[0]
            jobs.remove(job)
            proc, out = run(job[0], args.profile, job[1], job[2], folder)
            running.append((proc, out, job[2], time.time(), job))
            continue
        time.sleep(1)
        for item in list(running):
            proc, out, _, began, job = item
            if proc.poll() is None:
                continue
            running.remove(item)
            if out.exists() and not args.no_write:  # each run lands as soon as it ends: a stopped sweep keeps it
                held = ledger.merge(held, ledger.read(out))
                ledger.write(args.ledger, held)
            outputs.append(out)
            status = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode}, log {out.with_suffix('.log')})"
            if proc.returncode:
                failed.append(job)
            print(f"  {job[0]} seed {job[1]} threads {job[2]}: {time.time() - began:.0f} s, {status}", flush=True)
    print(f"sweep took {time.time() - start:.0f} s", flush=True)

    rows = [row for out in outputs if out.exists() for row in ledger.read(out)]
    broken = sorted({(r["chapter"], r["claim"]) for r in rows if str(r["held"]) == "0"})
    if not args.no_write:
        if Path(args.ledger).resolve() == LEDGER:  # the book's page shows the committed ledger only
            ledger.render(args.ledger, PAGE)
        rows = held
    print("\nleast headroom (worst run's margin over the bound, as a share of the bound):")
    for s in sorted(ledger.summary(rows), key=lambda s: s["margin"] - s["headroom"])[:15]:
        w = s["worst"]
        print(
            f"  {s['margin']:+7.1%} (needs {s['headroom']:.0%})  {s['chapter'][:2]} {s['profile']}: {s['claim']} "
            f"{s['op']} {w['bound']:.4g}; worst {w['value']:.4g} (seed {w['seed']}, {w['threads']} threads)"
        )
    failing = [s for s in ledger.summary(rows) if s["margin"] < s["headroom"]]
    print(f"\n{len(failing)} claims inside their headroom; {len(failed)} runs failed outside a claim")
    for chapter, claim in broken:
        print(f"  FAILED in this sweep: {chapter[:2]} {claim}")
    return 1 if failed or broken else 0  # a claim that failed in any run fails the sweep


if __name__ == "__main__":
    sys.exit(main())
