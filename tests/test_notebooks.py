"""Notebook hygiene: pairs in sync, no outputs committed, the setup-cell conventions, the toc complete."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))  # the chapters
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def repo_url() -> str:
    """[project.urls] Repository of pyproject.toml (read with a regex: tomllib needs Python 3.11)."""
    match = re.search(r'^Repository = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), flags=re.M)
    assert match, "pyproject.toml has no [project.urls] Repository"
    return match.group(1)


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def code_cells(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def test_there_are_notebooks():
    assert SOURCES, "no notebooks/*.py found"


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.name)
def test_every_source_has_its_pair_in_sync(py):
    ipynb = py.with_suffix(".ipynb")
    assert ipynb.exists(), f"{py.name} has no paired .ipynb: run make sync"
    a, b = jupytext.read(py), jupytext.read(ipynb)

    def cells(nb):  # the tags matter too: the book reads them (hide-input, static-equivalent) from the .ipynb
        return [(c.cell_type, c.source.strip(), c.metadata.get("tags", [])) for c in nb.cells]

    assert cells(a) == cells(b), f"{py.name} and {ipynb.name} differ: make sync"


@pytest.mark.parametrize("ipynb", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_has_no_outputs(ipynb):
    assert ipynb.with_suffix(".py").exists(), f"{ipynb.name} has no paired .py source"
    raw = json.loads(ipynb.read_text())
    assert "widgets" not in raw.get("metadata", {}), f"{ipynb.name} carries widget state"
    for cell in raw["cells"]:
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{ipynb.name} has outputs committed"
            assert cell.get("execution_count") is None, f"{ipynb.name} has execution counts committed"


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.name)
def test_setup_cell_conventions(py):
    nb = jupytext.read(py)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), "first cell: an H1 title"
    headings = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()]
    assert sum(1 for h in headings if re.match(r"^# \S", h)) == 1, "exactly one H1 per chapter"
    setup = code_cells(nb)[0]
    assert f'REPO = "{repo_url()}"' in setup, "the Colab install must use the repository URL of pyproject.toml"
    assert '"google.colab" in sys.modules' in setup and 'f"tutorial_utils @ git+{REPO}"' in setup, "no Colab install"
    assert re.search(r"^device = book\.setup\(SEED\)", setup, re.M), f"{py.name}: setup cell must call book.setup(SEED)"
    # The rest of the setup lives in book.setup: no notebook repeats it (one place to change it).
    source = "\n".join(code_cells(nb))
    for copied in ("runtime.seed_everything(", "runtime.describe()", "plotting.use_style()", "runtime.get_device()"):
        assert copied not in source, f"{py.name} repeats {copied}: book.setup(SEED) does it"


def test_repository_url_is_written_consistently():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["repository"]["url"] == repo_url()
    assert config["repository"]["branch"] == "main"
    assert config["launch_buttons"]["binderhub_url"] and config["launch_buttons"]["colab_url"]


def test_toc_lists_exactly_the_notebooks():
    listed = {f for f in toc_files() if f.startswith("notebooks/")}
    assert listed == {f"notebooks/{p.stem}" for p in NOTEBOOKS}
    for f in toc_files():
        assert any((ROOT / f).with_suffix(s).exists() for s in (".md", ".ipynb")), f"toc entry {f} has no file"


def test_ci_calls_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make book" in readme


def test_figures_show_inline_in_a_kernel_even_with_agg(monkeypatch):
    """CI exports MPLBACKEND=Agg; a kernel would obey it and plt.show() would draw nothing in the book.
    The setup cell's plotting.use_style() must switch the kernel to the inline backend."""
    import nbclient
    import nbformat

    monkeypatch.setenv("MPLBACKEND", "Agg")
    cells = [
        "from tutorial_utils import plotting\nplotting.use_style()",
        "import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.show()",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[1].outputs
    assert any("image/png" in o.get("data", {}) for o in outputs), f"no figure shown: {outputs}"


def chapter_references(text: str) -> set[str]:
    """Every chapter number a text names: "chapter 07", "Chapters 04 and 05", "chapters 01, 02 or 03"."""
    numbers = set()
    for match in re.finditer(r"\b[Cc]hapters?\s+((?:\d{2}(?:\s*(?:,|and|or|to|–|-)\s*)?)+)", text):
        numbers.update(re.findall(r"\d{2}", match.group(1)))
    return numbers


def test_chapter_references_finds_every_form():
    text = "see chapter 07, Chapters 04 and 05, chapters 01, 02 or 03; chapter 4 is not a reference"
    assert chapter_references(text) == {"07", "04", "05", "01", "02", "03"}


def test_no_text_names_a_chapter_that_does_not_exist():
    present = {p.name[:2] for p in SOURCES}
    texts = [*SOURCES, *sorted((ROOT / "book").glob("*.md")), ROOT / "README.md"]
    for path in texts:
        missing = chapter_references(path.read_text()) - present
        assert not missing, f"{path.relative_to(ROOT)} names chapter(s) {sorted(missing)}, which do not exist"


def glued_numbers(py: Path) -> set[str]:
    """The keys a chapter stores with ``book.glue_numbers(key=...)``."""
    calls = re.findall(r"book\.glue_numbers\((.*?)\n\)", py.read_text(), flags=re.S)
    return {key for call in calls for key in re.findall(r"^\s*(\w+)=", call, flags=re.M)}


def test_glued_numbers_finds_the_keys(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text("book.glue_numbers(\n    a_b=1.0,\n    c=min(\n        x for x in y\n    ),\n)\n")
    assert glued_numbers(path) == {"a_b", "c"}


def test_the_conclusion_quotes_numbers_the_chapters_store():
    """Every {glue:text} of book/conclusion.md names a key that its notebook stores, and every stored key is
    quoted (a stored number nobody reads is a sign the page fell behind the chapters)."""
    text = (ROOT / "book" / "conclusion.md").read_text()
    quoted = re.findall(r"\{glue:text\}`\.\./notebooks/(\w+)\.ipynb::(\w+):[^`]+`", text)
    assert len(quoted) == text.count("{glue:text}"), "a {glue:text} role not in the form ../notebooks/NN.ipynb::key:fmt"
    stored = {(py.stem, key) for py in SOURCES for key in glued_numbers(py)}
    assert set(quoted) <= stored, sorted(set(quoted) - stored)
    assert stored <= set(quoted), f"stored but never quoted: {sorted(stored - set(quoted))}"


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.stem)
def test_code_lines_fit_the_page_column(py):
    """Code cells, comments included, stay within 100 characters: the page column shows 100 without a scroll
    bar on a desktop (the browser check measures it). Markdown cells reflow in the book, so they are exempt."""
    long = [line for src in code_cells(jupytext.read(py)) for line in src.splitlines() if len(line) > 100]
    assert not long, f"{py.name}: code lines over 100 characters: {long[:3]}"


def lost_tables(source: str) -> list[int]:
    """Lines of a code cell where a ``book.table(...)`` is evaluated and thrown away: a table shows only as
    its cell's last expression (or glued), so one followed by a print or a figure never reaches the page."""
    body = ast.parse("\n".join("" if line.startswith(("%", "!")) else line for line in source.splitlines())).body
    return [
        node.lineno
        for node in ast.walk(ast.Module(body=body[:-1], type_ignores=[]))
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "attr", None) == "table"
    ] + [
        node.lineno
        for stmt in body[-1:]
        if not isinstance(stmt, ast.Expr)
        for node in ast.walk(stmt)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "attr", None) == "table"
    ]


def test_lost_tables_finds_a_table_before_a_print():
    assert lost_tables("t = 1\nplotting.table(h, r)\nprint(t)") == [2]
    assert lost_tables("for x in y:\n    book.table(h, r)") == [2]
    assert lost_tables("print(1)\nplotting.table(h, r)") == []
    assert lost_tables("book.glue('k', book.table(h, r), display=False)\nprint(1)") == []


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.stem)
def test_every_table_reaches_the_page(py):
    lost = [(i, line) for i, src in enumerate(code_cells(jupytext.read(py))) for line in lost_tables(src)]
    assert not lost, f"{py.name}: tables that are not their cell's last expression (code cell, line): {lost}"


# --- How a chapter reads (issue 20; book/conventions.md, "How a page opens, folds and ends") ------------------


def tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.stem)
def test_chapter_opens_on_a_picture_and_says_what_it_teaches(py):
    first = jupytext.read(py).cells[0].source
    _, _, rest = first.partition("\n")
    assert rest.lstrip().startswith("```{glue:figure} "), (
        f"{py.name}: the first thing after the title must be a {{glue:figure}} of the chapter's own figure"
    )
    learn = re.search(r"\*\*In this chapter you will learn\*\*\n((?:- .*\n(?:  .*\n)*)+)", first + "\n")
    assert learn and 2 <= len(re.findall(r"^- ", learn.group(1), re.M)) <= 3, (
        f"{py.name}: 2 or 3 'you will learn' lines"
    )
    key = re.search(r"\{glue:figure\} (\w+)", first).group(1)
    assert f'book.glue("{key}", ' in py.read_text(), f"{py.name}: the opening figure {key!r} is not glued here"


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.stem)
def test_collapsed_cells_are_tagged_for_what_they_hold(py):
    nb = jupytext.read(py)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert {"hide-input", "setup"} <= set(tags(code[0])), f"{py.name}: the setup cell is tagged hide-input, setup"
    for c in code:
        if "hide-input" in tags(c) and re.search(r"^\s*assert\b", c.source, re.M):
            assert "checks" in tags(c) or "setup" in tags(c), (
                f"{py.name}: a hide-input cell with asserts is not tagged checks:\n{c.source[:200]}"
            )
        if "checks" in tags(c) or "setup" in tags(c):
            assert "hide-input" in tags(c), f"{py.name}: a checks/setup cell must be hide-input too:\n{c.source[:200]}"
        if "book.glue_numbers(" in c.source:
            assert "remove-cell" in tags(c), f"{py.name}: the cell that only stores glue numbers is remove-cell"


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.stem)
def test_chapter_ends_with_three_takeaways(py):
    last = jupytext.read(py).cells[-1]
    assert last.cell_type == "markdown" and last.source.startswith("```{admonition} Takeaways"), (
        f"{py.name}: the last cell is the Takeaways box"
    )
    assert ":class: tip takeaways" in last.source and len(re.findall(r"^- ", last.source, re.M)) == 3


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.stem)
def test_explorers_are_removed_from_the_book(py):
    for c in jupytext.read(py).cells:
        if c.cell_type == "code" and re.search(r"widgets\.\w+_explorer\(", c.source):
            assert "remove-cell" in tags(c), f"{py.name}: an ipywidgets explorer must be tagged remove-cell"
