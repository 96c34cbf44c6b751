"""How the built pages read (issue 20), checked in headless Chromium with no network, at 1400 px.

Nothing clipped, nothing leaked: no output line runs past its block or the page column, and no page shows a
warning (a stderr stream or a Python ``...Warning:`` line). Pixel figures (cells tagged ``pixel-figure``) are
shown at their natural size or an integer multiple of it, never shrunk. Every chapter opens on a picture (an
image before its first code cell, on the first screen), labels the toggles of its checking cells "Show the
checks", and ends with a "Takeaways" box.

Each detector is first shown to fail on a planted page (written into the served build, then removed), so a
check that passes on the book passes because the book is right. Each page is loaded once for all checks
(``report``); the planted pages reuse the same Chromium.

Every chapter and page is held to every check: there are no expected failures.
"""

from __future__ import annotations

import base64
import functools
import io
import re

import pytest
from bookcheck import HTML, ROOT, chapter_pages, toc_pages
from PIL import Image

DESKTOP = {"width": 1400, "height": 900}

# One pass over the page: every measurement the checks below need.
REPORT_JS = r"""(() => {
  const article = document.querySelector("article");
  // Open every collapsed block (dropdowns, hidden outputs), so that what a reader can open is measured too.
  for (const details of article.querySelectorAll("details")) details.open = true;
  const box = article.getBoundingClientRect(), css = getComputedStyle(article);
  const columnRight = box.right - parseFloat(css.paddingRight);
  const longest = (text) => text.split("\n").reduce((a, b) => (b.length > a.length ? b : a), "").slice(0, 120);

  // Clipped output lines, one entry per output: a table past the page column, a block (the output or a <pre>
  // in it) whose content is wider than the block, or a line box that ends past the column.
  const clipped = [];
  for (const table of article.querySelectorAll("table"))  // a table, in an output or in the prose
    if (table.checkVisibility() && table.getBoundingClientRect().right > columnRight + 1)
      clipped.push("a table " + Math.round(table.getBoundingClientRect().width) + " px wide: "
                   + longest(table.textContent.replace(/\s+/g, " ")));
  for (const output of article.querySelectorAll(".output")) {  // cell outputs, and outputs pasted by glue
    if (!output.checkVisibility()) continue;
    const blocks = [output, ...output.querySelectorAll("pre")];
    const range = document.createRange();
    range.selectNodeContents(output);
    if (blocks.some((b) => b.scrollWidth > b.clientWidth + 1)
        || [...range.getClientRects()].some((r) => r.width > 0 && r.right > columnRight + 1))
      clipped.push(longest(output.textContent));
  }

  // Warnings: a stderr stream, or a Python warning line, in any output (shown or collapsed).
  const warnings = [...article.querySelectorAll(".cell_output .stderr")].map((e) => longest(e.textContent));
  for (const output of article.querySelectorAll(".cell_output")) {
    const line = output.textContent.split("\n").find((l) => /\b\w*Warning: /.test(l));
    if (line) warnings.push(line.trim().slice(0, 120));
  }

  // Pixel figures: every image drawn by a cell tagged pixel-figure, wherever it is shown (a figure pasted
  // with {glue:figure} is the same file). Shrunk, or enlarged by a non-integer factor, is a failure.
  const sources = new Set([...article.querySelectorAll(".cell.tag_pixel-figure img")].map((i) => i.src));
  const pixels = [...article.querySelectorAll("img")]
    .filter((i) => sources.has(i.src) && i.checkVisibility())
    .map((i) => ({src: i.src.slice(-40), natural: i.naturalWidth, shown: i.getBoundingClientRect().width}));

  // Picture first: the first visible image, whether it comes before the first code cell, and where it starts.
  const firstCell = article.querySelector(".cell");
  const image = [...article.querySelectorAll("img")].find((i) => i.checkVisibility() && i.naturalWidth > 0);
  const picture = image ? {
    before: !firstCell || !!(image.compareDocumentPosition(firstCell) & Node.DOCUMENT_POSITION_FOLLOWING),
    top: image.getBoundingClientRect().top + window.scrollY,
    shown: image.getBoundingClientRect().width,
  } : null;

  // Toggles: the label of every collapsed checking cell; the other collapsed cells' labels.
  const label = (cell) => {
    const summary = cell.querySelector("details > summary .collapsed");
    return summary ? summary.textContent.trim() : null;
  };
  const checks = [...article.querySelectorAll(".cell.tag_checks")].map(label);
  const others = [...article.querySelectorAll(".cell:not(.tag_checks)")].map(label).filter((l) => l);

  // The ending: the last admonition titled Takeaways, its bullets, and whether anything but prose follows it.
  const boxes = [...article.querySelectorAll(".admonition")].filter((a) =>
    a.querySelector(".admonition-title")?.textContent.trim() === "Takeaways");
  const last = boxes[boxes.length - 1];
  const takeaways = last ? {
    bullets: last.querySelectorAll(":scope > ul > li").length,
    cellsAfter: [...article.querySelectorAll(".cell")].filter((c) =>
      last.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING).length,
  } : null;

  return {clipped, warnings, pixels, picture, checks, others, takeaways, viewport: window.innerHeight};
})()"""


def load(browser, path: str) -> dict:
    """Open ``path`` of the served folder at 1400 px and measure it."""
    browser.open(path, **DESKTOP)
    browser.evaluate("document.fonts.ready.then(() => true)")
    return browser.evaluate(REPORT_JS)


@functools.cache
def _reports(browser) -> dict:
    return {}


def report(browser, page: str) -> dict:
    """The measurements of a built page, loaded once per session for all the checks."""
    cache = _reports(browser)
    if page not in cache:
        cache[page] = load(browser, f"{page}.html")
    return cache[page]


# --- the detectors -----------------------------------------------------------------------------------------


def clipped_lines(rep: dict) -> list[str]:
    return rep["clipped"]


def warning_outputs(rep: dict) -> list[str]:
    return rep["warnings"]


def shrunk_pixel_figures(rep: dict) -> list[str]:
    """Pixel figures shown smaller than their natural width, or magnified by a factor that is not an integer."""
    bad = []
    for img in rep["pixels"]:
        scale = img["shown"] / img["natural"] if img["natural"] else 0.0
        if scale < 1 - 1e-3 or abs(scale - round(scale)) > 1e-2:
            bad.append(f"{img['src']}: {img['natural']} px shown at {img['shown']:.0f} px")
    return bad


def picture_first(rep: dict) -> str | None:
    """Why the page does not open on a picture on its first screen, or None."""
    picture = rep["picture"]
    if picture is None:
        return "no image at all"
    if not picture["before"]:
        return "its first image comes after its first code cell"
    if picture["top"] > 0.8 * rep["viewport"]:
        return f"its first image starts {picture['top']:.0f} px down, below the first screen"
    return None


def unlabelled_checks(rep: dict) -> list:
    return [label for label in rep["checks"] if label != "Show the checks"]


def ending_problem(rep: dict) -> str | None:
    takeaways = rep["takeaways"]
    if takeaways is None:
        return "no Takeaways box"
    if takeaways["bullets"] != 3:
        return f"a Takeaways box with {takeaways['bullets']} bullets, not 3"
    if takeaways["cellsAfter"]:
        return f"{takeaways['cellsAfter']} code cell(s) after the Takeaways box"
    return None


# --- planted pages: each detector fails where it should ------------------------------------------------------


def png(width: int, height: int = 20) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">{head}</head><body>
<article class="bd-article" style="width: 600px; padding: 0 20px">{body}</article></body></html>"""
LONG = "measured: " + ", ".join(f"{k}: {k / 7:.17f}" for k in range(12))  # 17-digit floats, one long line


def cell(content: str, tags: str = "", output: bool = True) -> str:
    inner = f'<div class="cell_output docutils container">{content}</div>' if output else content
    return f'<div class="cell docutils container {tags}">{inner}</div>'


def text_output(text: str, kind: str = "text_plain", style: str = "") -> str:
    return f'<div class="output {kind}"><div class="highlight"><pre style="{style}">{text}</pre></div></div>'


@pytest.fixture
def planted(browser):
    """Write a page into the served build, measure it in the shared Chromium, and remove it again."""
    folder = HTML / "_planted"
    folder.mkdir(exist_ok=True)
    written = []

    def measure(name: str, body: str, head: str = "") -> dict:
        path = folder / f"{name}.html"
        path.write_text(PAGE.format(head=head, body=body))
        written.append(path)
        return load(browser, f"_planted/{path.name}")

    yield measure
    for path in written:
        path.unlink()
    folder.rmdir()


def test_the_clipping_check_fails_on_a_clipped_line_and_the_book_css_wraps_it(planted):
    scrolling = text_output(LONG, style="white-space: pre; overflow-x: auto")
    spilling = text_output(LONG, style="white-space: pre; overflow: visible")
    wide = f'<div class="output text_html" style="width: 900px">{LONG[:60]} {"x" * 80}</div>'
    assert len(clipped_lines(planted("clipped", cell(scrolling) + cell(spilling) + cell(wide)))) == 3
    assert clipped_lines(planted("short", cell(text_output("a short line")))) == []
    table = '<table style="width: 900px"><tr><td>a table wider than the column</td></tr></table>'
    assert "900 px wide" in clipped_lines(planted("table", f"<p>prose</p>{table}"))[0]
    # The same long line under the book's stylesheet wraps inside the column: nothing is clipped.
    css = '<link rel="stylesheet" href="../_static/checkerboard.css">'
    assert (HTML / "_static" / "checkerboard.css").exists(), "the book's stylesheet is not in the build"
    wrapped = planted("wrapped", cell(text_output(LONG, style="overflow-x: auto")), head=css)
    assert wrapped["clipped"] == []


def test_the_warning_check_fails_on_a_stderr_stream_and_a_warning_line(planted):
    stderr = text_output("/tmp/ipykernel_1/1.py:6: some message", kind="stderr")
    warned = text_output("UserWarning: Converting a tensor with requires_grad=True to a scalar")
    found = warning_outputs(planted("warned", cell(stderr) + cell(warned)))
    assert len(found) == 2 and "UserWarning: Converting" in found[1]
    clean = text_output("no warnings here; the word Warning alone is fine")
    assert warning_outputs(planted("clean", cell(clean))) == []


def test_the_pixel_figure_check_fails_on_a_shrunk_or_resampled_figure(planted):
    def figure(natural: int, shown: int | None, tags: str = "tag_pixel-figure") -> str:
        size = f' style="width: {shown}px"' if shown else ""
        return cell(f'<div class="output"><img src="{png(natural)}"{size}></div>', tags)

    bad = planted("shrunk", figure(500, 400) + figure(200, 300))
    assert len(shrunk_pixel_figures(bad)) == 2, bad["pixels"]
    good = planted("natural", figure(500, None) + figure(200, 400) + figure(900, 400, tags=""))
    assert len(good["pixels"]) == 2 and shrunk_pixel_figures(good) == []  # untagged figures are not checked
    # A pasted copy of a tagged figure (the chapter's opening picture) is checked as well.
    src = png(300)
    pasted = f'<figure><img src="{src}" style="width: 200px"></figure>'
    tagged = cell(f'<div class="output"><img src="{src}"></div>', "tag_pixel-figure")
    assert len(shrunk_pixel_figures(planted("pasted", pasted + tagged))) == 1


def test_the_picture_first_check_fails_without_a_picture_before_the_first_cell(planted):
    code = cell('<div class="cell_input"><pre>import torch</pre></div>', output=False)
    image = f'<img src="{png(300, 200)}">'
    assert picture_first(planted("late", "<h1>T</h1>" + code + image)) is not None
    assert picture_first(planted("none", "<h1>T</h1><p>text</p>" + code)) == "no image at all"
    below = f'<div style="height: 1200px"></div>{image}{code}'
    assert "below the first screen" in picture_first(planted("below", below))
    assert picture_first(planted("first", "<h1>T</h1>" + image + code)) is None


def test_the_toggle_and_ending_checks_fail_where_they_should(planted):
    def toggle(label: str, tags: str) -> str:
        summary = f'<details><summary><p class="collapsed">{label}</p></summary><pre>assert x</pre></details>'
        return cell(summary, tags, output=False)

    box = '<div class="admonition"><p class="admonition-title">Takeaways</p><ul>{}</ul></div>'
    page = toggle("Show code cell source", "tag_checks") + box.format("<li>a</li>" * 2)
    rep = planted("labels", page)
    assert unlabelled_checks(rep) == ["Show code cell source"] and "2 bullets" in ending_problem(rep)
    rep = planted("after", box.format("<li>a</li>" * 3) + toggle("Show the checks", "tag_checks"))
    assert unlabelled_checks(rep) == [] and "after the Takeaways box" in ending_problem(rep)
    rep = planted("right", toggle("Show the checks", "tag_checks") + box.format("<li>a</li>" * 3))
    assert ending_problem(rep) is None and ending_problem(planted("nobox", "<p>end</p>")) == "no Takeaways box"


# --- the book --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", toc_pages())
def test_no_output_line_is_clipped(page, browser):
    assert clipped_lines(report(browser, page)) == [], f"{page}: output lines cut off at 1400 px"


@pytest.mark.parametrize("page", toc_pages())
def test_no_page_shows_a_warning(page, browser):
    assert warning_outputs(report(browser, page)) == [], f"{page}: warnings in the outputs"


@pytest.mark.parametrize("page", toc_pages())
def test_pixel_figures_are_shown_at_their_natural_size(page, browser):
    rep = report(browser, page)
    assert shrunk_pixel_figures(rep) == [], f"{page}: pixel figures resampled by the browser"
    source = ROOT / f"{page}.py"
    if source.exists() and "pixel-figure" in source.read_text():
        assert rep["pixels"], f"{page}: cells are tagged pixel-figure but no such image was found on the page"


@pytest.mark.parametrize("page", chapter_pages())
def test_every_chapter_opens_on_a_picture(page, browser):
    problem = picture_first(report(browser, page))
    assert problem is None, f"{page} does not open on a picture at 1400 px: {problem}"


@pytest.mark.parametrize("page", chapter_pages())
def test_checking_cells_say_show_the_checks(page, browser):
    rep = report(browser, page)
    assert rep["checks"], f"{page}: no cell is tagged checks"
    assert unlabelled_checks(rep) == [], f"{page}: checking cells with other labels"
    assert not [label for label in rep["others"] if label.startswith("Show code cell")], (
        f"{page}: myst-nb's default toggle label: {rep['others']}"
    )


@pytest.mark.parametrize("page", chapter_pages())
def test_every_chapter_ends_with_takeaways(page, browser):
    problem = ending_problem(report(browser, page))
    assert problem is None, f"{page}: {problem}"


def test_the_conclusion_leads_to_how_sure_then_the_references_and_the_conventions_stand_apart(built_book):
    def link(page: str, side: str) -> str | None:
        found = re.search(rf'<a class="{side}-(?:next|prev)"\s+href="([^"]+)"', (built_book / page).read_text())
        return found.group(1) if found else None

    assert link("book/conclusion.html", "right") == "how_sure.html"  # the sweep's page, then the references
    assert link("book/how_sure.html", "right") == "references.html"
    pages = toc_pages()
    assert pages[-1] == "book/conventions", f"the contributors' conventions page must come last, not {pages[-1]}"
