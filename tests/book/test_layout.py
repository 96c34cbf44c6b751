"""How the built pages read, checked in headless Chromium with no network: the introduction opens with chapter
06's pair of pictures, cells that only check or plumb are collapsed, and no page scrolls sideways on a desktop
or a phone.
"""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from bookcheck import BUILD, chapter_pages, toc_pages

WIDTHS = {"desktop": 1400, "phone": 400}

OVERFLOW_JS = """(() => {
  const page = document.scrollingElement;
  const code = [...document.querySelectorAll("article .cell_input pre")]
    .filter((pre) => pre.scrollWidth > pre.clientWidth + 1 && pre.checkVisibility())
    .map((pre) => pre.textContent.split("\\n").reduce((a, b) => (b.length > a.length ? b : a), ""));
  return {page: page.scrollWidth - page.clientWidth, code};
})()"""


def open_at(browser, path: str, width: int) -> None:
    """Open ``path`` in a window ``width`` px wide and 900 px high, a phone's below 600 px."""
    browser.open(path, width=width, height=900, mobile=width < 600)


@pytest.mark.parametrize("device", list(WIDTHS))
@pytest.mark.parametrize("page", toc_pages())
def test_no_horizontal_overflow(page, device, browser):
    open_at(browser, f"{page}.html", WIDTHS[device])
    found = browser.evaluate(OVERFLOW_JS)
    assert found["page"] <= 1, f"{page} scrolls sideways by {found['page']} px at {WIDTHS[device]} px"
    if device == "desktop":  # on a phone, long code lines scroll inside their block, which is fine
        assert not found["code"], f"{page}: code lines wider than the column at 1400 px: {found['code'][:3]}"


# The front page's pair: chapter 06's style-trained networks on one photograph, glued under these keys.
FRONT_PAIR = ("06_style_transfer", ("front_transposed", "front_resize"))


def glued_image_names(notebook: str, keys) -> list[str]:
    """The file names the built book gives the PNGs glued under ``keys`` in ``notebook`` (the SHA-256 of the
    image, as myst-nb names every image it writes), read from the executed notebook's glue store."""
    store = json.loads((BUILD / "jupyter_execute" / "notebooks" / f"{notebook}.glue.json").read_text())
    return [hashlib.sha256(base64.b64decode(store[key]["data"]["image/png"])).hexdigest() + ".png" for key in keys]


def test_introduction_opens_with_the_two_decoders(browser):
    """The first two images of the introduction are chapter 06's two glued pictures, transposed decoder first,
    side by side before any paragraph at a 1400 px window, each drawn at its natural size (so the period-2
    grid is not resampled) and at least 256 CSS px wide."""
    open_at(browser, "book/intro.html", WIDTHS["desktop"])
    images = browser.evaluate("""(() => {
      const article = document.querySelector("article");
      const para = [...article.querySelectorAll("p")].find((p) => !p.closest("figure"));
      return [...article.querySelectorAll("img")].slice(0, 2).map((img) => {
        const r = img.getBoundingClientRect();
        const before = !!para && !!(img.compareDocumentPosition(para) & Node.DOCUMENT_POSITION_FOLLOWING);
        return {src: img.getAttribute("src"), width: r.width, top: r.top, natural: img.naturalWidth, before};
      });
    })()""")
    notebook, keys = FRONT_PAIR
    expected = glued_image_names(notebook, keys)
    assert [img["src"].rsplit("/", 1)[-1] for img in images] == expected, (
        f"the introduction's first two images are not {keys} of {notebook}: {images}"
    )
    for key, img in zip(keys, images):
        assert img["before"], f"{key}: the introduction's first paragraph comes before it"
        assert img["natural"] > 0 and img["width"] == img["natural"], f"{key}: missing or resampled: {img}"
        assert img["width"] >= 256, f"{key}: drawn {img['width']} px wide, less than 256"
    assert abs(images[0]["top"] - images[1]["top"]) < 2, f"the two pictures are not side by side: {images}"


@pytest.mark.parametrize("page", chapter_pages())
def test_checking_cells_are_collapsed(page, browser):
    browser.open(f"{page}.html")
    cells = browser.evaluate("""(() => [...document.querySelectorAll(".cell.tag_hide-input")].map((cell) => {
      const pre = cell.querySelector(".cell_input pre");
      return {toggle: !!cell.querySelector("details, .toggle, button"), visible: !!pre && pre.checkVisibility()};
    }))()""")
    assert cells, f"{page}: no cell is tagged hide-input"
    assert all(c["toggle"] and not c["visible"] for c in cells), f"{page}: a hide-input cell shows its code: {cells}"
