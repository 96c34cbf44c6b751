"""Named claims and their ledger: runtime.claim, the committed sweep (benchmarks/claims.csv), the book's page of
it, and a lint that keeps asserts on measured quantities going through a claim."""

from __future__ import annotations

import ast
import csv
import os
from pathlib import Path

import jupytext
import pytest
import torch

from tutorial_utils import book, ledger, runtime

ROOT = Path(__file__).resolve().parents[1]
LEDGER = ROOT / "benchmarks" / "claims.csv"
PAGE = ROOT / "book" / "how_sure.md"
SOURCES = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
QUICK_SEEDS, QUICK_THREADS = 5, 2  # the least a chapter's quick-profile sweep holds (issue 26)


# --- runtime.claim and runtime.seed --------------------------------------------------------------------------


def test_a_claim_that_holds_passes_silently_like_an_assert(monkeypatch):
    monkeypatch.delenv("TUTORIAL_LEDGER", raising=False)
    assert runtime.claim("x", 2, ">", 1) is None  # a cell ending with a claim shows nothing
    assert runtime.claim("x", 1, ">=", 1) is None
    assert runtime.claim("x", 0.5, "<", 1) is None


def test_claim_names_the_claim_value_and_bound_when_it_fails(monkeypatch):
    monkeypatch.delenv("TUTORIAL_LEDGER", raising=False)
    with pytest.raises(AssertionError, match=r"'avgpool learns a pattern' failed: measured 1.745, needs > 1.8"):
        runtime.claim("avgpool learns a pattern", 1.745, ">", 1.8)
    with pytest.raises(AssertionError):
        runtime.claim("x", 1, "<", 1)


@pytest.mark.parametrize(
    "args,error,match",
    [
        (("x", 1, "==", 1), ValueError, "op must be one of"),
        (("", 1, ">", 0), TypeError, "name must be a non-empty string"),
        ((3, 1, ">", 0), TypeError, "name must be a non-empty string"),
    ],
)
def test_claim_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        runtime.claim(*args)


def test_claim_appends_a_ledger_row(tmp_path, monkeypatch):
    path = tmp_path / "ledger.csv"
    monkeypatch.setenv("TUTORIAL_LEDGER", str(path))
    monkeypatch.setenv("TUTORIAL_CHAPTER", "09_open_questions")
    monkeypatch.delenv("TUTORIAL_CLAIMS", raising=False)
    runtime.claim("a", 2.5, ">", 1.8)
    with pytest.raises(AssertionError):
        runtime.claim("b", 1.7, ">", 1.8, headroom=0.2)
    rows = ledger.read(path)
    assert [r["claim"] for r in rows] == ["a", "b"]
    assert rows[0]["chapter"] == "09_open_questions" and rows[0]["threads"] == str(torch.get_num_threads())
    assert (rows[1]["value"], rows[1]["bound"], rows[1]["headroom"], rows[1]["held"]) == (1.7, 1.8, 0.2, "0")
    assert rows[0]["torch"] == torch.__version__.split("+")[0] and rows[0]["profile"] == runtime.profile()


def test_record_mode_goes_on_past_a_failed_claim_only_with_a_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTORIAL_CLAIMS", "record")
    monkeypatch.delenv("TUTORIAL_LEDGER", raising=False)
    with pytest.raises(AssertionError):  # nothing would record it: it must still fail
        runtime.claim("b", 1.0, ">", 2.0)
    monkeypatch.setenv("TUTORIAL_LEDGER", str(tmp_path / "l.csv"))
    runtime.claim("b", 1.0, ">", 2.0)  # recorded, not raised
    assert ledger.read(tmp_path / "l.csv")[0]["held"] == "0"


def test_seed_reads_tutorial_seed(monkeypatch):
    monkeypatch.delenv("TUTORIAL_SEED", raising=False)
    assert runtime.seed() == 0
    monkeypatch.setenv("TUTORIAL_SEED", "7")
    assert runtime.seed() == 7
    for bad in ("-1", "1.5", "x", str(2**32)):
        monkeypatch.setenv("TUTORIAL_SEED", bad)
        with pytest.raises(ValueError, match="TUTORIAL_SEED must be an int"):
            runtime.seed()


def test_the_profile_line_prints_the_seed(monkeypatch, capsys):
    book.setup(11)
    assert "seed=11" in capsys.readouterr().out


# --- the ledger ------------------------------------------------------------------------------------------------


def row(value, op=">", bound=1.0, seed=0, threads=1, name="c", chapter="05_gans", headroom=0.1):
    return {
        "chapter": chapter,
        "claim": name,
        "profile": "quick",
        "seed": str(seed),
        "threads": str(threads),
        "device": "cpu",
        "torch": "2.13.0",
        "value": value,
        "op": op,
        "bound": bound,
        "headroom": headroom,
        "held": "1",
    }


def test_margin_is_the_share_of_the_bound_to_spare():
    assert ledger.margin(row(1.5, ">", 1.0)) == pytest.approx(0.5)
    assert ledger.margin(row(0.9, "<", 1.0)) == pytest.approx(0.1)
    assert ledger.margin(row(1.2, "<", 1.0)) == pytest.approx(-0.2)
    assert ledger.margin(row(-63, ">", -70)) == pytest.approx(0.1)  # negative bounds: still a share of |bound|
    assert ledger.margin(row(0.1, ">", 0)) == float("inf") and ledger.margin(row(-0.1, ">", 0)) == float("-inf")


def test_summary_and_too_close_take_the_worst_run():
    rows = [row(v, seed=s) for s, v in enumerate([1.5, 1.3, 1.05, 2.0])]
    (s,) = ledger.summary(rows)
    assert (s["runs"], s["min"], s["max"], s["median"]) == (4, 1.05, 2.0, 1.4)
    assert s["margin"] == pytest.approx(0.05) and s["worst"]["seed"] == "2"
    assert ledger.too_close(rows) == [s]
    assert ledger.too_close(rows[:2] + rows[3:]) == []
    # a two-sided claim is two claims: one name, two ops
    assert len(ledger.summary([row(1.0, ">", 0.8), row(1.0, "<", 1.25)])) == 2


def test_merge_replaces_only_the_runs_measured_again():
    old = [row(1.0, seed=0), row(1.0, seed=1), row(1.0, seed=1, name="d")]
    new = [row(2.0, seed=1)]
    merged = ledger.merge(old, new)
    assert sorted((r["seed"], r["claim"], r["value"]) for r in merged) == [("0", "c", 1.0), ("1", "c", 2.0)]


def test_write_and_read_round_trip(tmp_path):
    rows = [row(1.25, seed=1), row(3.5, seed=0, name="b")]
    ledger.write(tmp_path / "l.csv", rows)
    back = ledger.read(tmp_path / "l.csv")
    assert [(r["claim"], r["value"]) for r in back] == [("b", 3.5), ("c", 1.25)]  # sorted by seed


def test_read_refuses_a_file_that_is_not_a_ledger(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="not a claims ledger"):
        ledger.read(tmp_path / "x.csv")


def test_page_lists_each_claim_with_its_range():
    rows = [row(v, seed=s, threads=t) for s, (v, t) in enumerate([(1.5, 1), (1.3, 2), (2.0, 1)])]
    text = ledger.page(rows)
    assert (
        "## Chapter 05\n\n{doc}`../notebooks/05_gans`" in text
        and "| c | quick | > 1 | 1.3 | 1.5 | 2 | 3 | 30% |" in text
    )
    assert "seeds 0–2, threads 1, 2" in text


# --- the committed ledger ------------------------------------------------------------------------------------


def committed() -> list[dict]:
    assert LEDGER.exists(), "benchmarks/claims.csv is missing: run make sweep"
    return ledger.read(LEDGER)


def test_every_claim_keeps_its_headroom_over_the_sweep():
    bad = ledger.too_close(committed())
    lines = []
    for s in bad:
        w = s["worst"]
        lines.append(
            f"{s['chapter']} {s['profile']}: {s['claim']!r} {s['op']} {w['bound']:g}: worst {w['value']:g} (seed "
            f"{w['seed']}, {w['threads']} threads), margin {s['margin']:.1%} < {s['headroom']:.0%}"
        )
    assert not bad, "claims too close to their bound over the sweep:\n" + "\n".join(lines)


def test_every_chapter_with_a_claim_is_swept_in_the_quick_profile():
    rows = [r for r in committed() if r["profile"] == "quick"]
    for py in SOURCES:
        if "runtime.claim(" not in py.read_text():
            continue
        runs = {(r["seed"], r["threads"]) for r in rows if r["chapter"] == py.stem}
        seeds, threads = {s for s, _ in runs}, {t for _, t in runs}
        assert len(seeds) >= QUICK_SEEDS and len(threads) >= QUICK_THREADS, (
            f"{py.stem}: the ledger holds seeds {sorted(seeds)} x threads {sorted(threads)}; "
            f"make sweep needs at least {QUICK_SEEDS} x {QUICK_THREADS}"
        )


def test_the_how_sure_page_is_rendered_from_the_ledger():
    assert PAGE.read_text() == ledger.page(committed()), "book/how_sure.md is stale: run make sweep (or render it)"


def test_the_ledger_file_is_sorted_and_complete():
    with open(LEDGER, newline="") as f:
        header = next(csv.reader(f))
    assert tuple(header) == runtime.LEDGER_FIELDS


# --- the lint: asserts on measured quantities go through runtime.claim ------------------------------------


ORDER = (ast.Lt, ast.Gt, ast.LtE, ast.GtE)


def _is_tolerance(node: ast.AST) -> bool:
    """A literal tolerance such as 1e-9: an assert against it checks an exact identity up to rounding."""
    try:
        v = ast.literal_eval(node)
    except ValueError:
        return False
    return isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < abs(v) <= 1e-3


def _ordered(test: ast.AST):
    """The comparisons an assert's truth rests on: through and/or/not and all()/any() of a generator."""
    if isinstance(test, ast.BoolOp):
        for value in test.values:
            yield from _ordered(value)
    elif isinstance(test, ast.UnaryOp):
        yield from _ordered(test.operand)
    elif isinstance(test, ast.Call) and getattr(test.func, "id", "") in ("all", "any") and test.args:
        arg = test.args[0]
        yield from _ordered(arg.elt if isinstance(arg, ast.GeneratorExp) else arg)
    elif isinstance(test, ast.Compare) and any(isinstance(op, ORDER) for op in test.ops):
        if not any(_is_tolerance(side) for side in (test.left, *test.comparators)):
            yield test


def inequality_asserts(source: str) -> list[tuple[int, str]]:
    """Plain asserts that compare with <, >, <=, >= against anything but a small literal tolerance, and carry
    no ``# exact`` comment (on their lines or the line above) saying why their value cannot change."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Assert) or not list(_ordered(node.test)):
            continue
        text = "\n".join(lines[max(node.lineno - 2, 0) : node.end_lineno])
        if "# exact" not in text:
            found.append((node.lineno, lines[node.lineno - 1].strip()))
    return found


def test_lint_finds_a_measured_assert_and_spares_exact_ones():
    source = "\n".join(
        [
            "assert score > 1.8",  # measured: flagged
            "assert all(v < 3 * w for v in x)",  # flagged
            "assert err < 1e-9 and torch.allclose(a, b)",  # a tolerance
            "assert 0 <= needed < s  # exact: shape arithmetic",
            "# exact: closed form",
            "assert ratio > 0.3",
            "runtime.claim('x', score, '>', 1.8)",
            "assert a == b",
        ]
    )
    assert [n for n, _ in inequality_asserts(source)] == [1, 2]


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.name)
def test_measured_asserts_go_through_a_named_claim(py):
    nb = jupytext.read(py)
    found = []
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines())
        found += [f"code cell {i}, line {n}: {text}" for n, text in inequality_asserts(source)]
    assert not found, (
        f"{py.name}: plain asserts with an inequality; a measured quantity goes through runtime.claim, an exact "
        "one says why with a '# exact' comment:\n" + "\n".join(found)
    )


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.name)
def test_seeds_derive_from_tutorial_seed(py):
    source = py.read_text()
    assert "SEED = runtime.seed()" in source, f"{py.name}: SEED must come from runtime.seed() (TUTORIAL_SEED)"
    tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("manual_seed", "seed_everything"):
            for arg in node.args:
                literal = isinstance(arg, ast.Constant)
                assert not literal, f"{py.name}:{node.lineno}: a literal seed; derive it from SEED"


def test_ci_run_claims_are_in_the_ledger():
    """Every claim that make test's notebook run made (TUTORIAL_LEDGER in the Makefile) was swept, with the bound
    it has now: a new claim, or a bound changed since the sweep, needs make sweep for its chapter."""
    path = Path(os.environ.get("CI_CLAIMS", ROOT / "_build" / "claims-ci.csv"))
    if not path.exists():
        pytest.skip("no claims from a notebook run (make test-notebooks writes _build/claims-ci.csv)")
    swept = {(r["chapter"], r["profile"], r["claim"], r["op"]): r for r in committed()}
    missing = []
    for r in ledger.read(path):
        key = (r["chapter"], r["profile"], r["claim"], r["op"])
        if key not in swept:
            missing.append(f"{r['chapter']}: {r['claim']!r} ({r['profile']}) is not in the sweep")
        elif len({x["bound"] for x in committed() if (x["chapter"], x["profile"], x["claim"], x["op"]) == key}) == 1:
            if swept[key]["bound"] != r["bound"]:
                missing.append(
                    f"{r['chapter']}: {r['claim']!r} bound {r['bound']:g}, swept with {swept[key]['bound']:g}"
                )
    assert not missing, "re-run make sweep for these chapters:\n" + "\n".join(missing)
