"""How the built pages read, checked in headless Chromium with no network: the introduction opens with its
picture, cells that only check or plumb are collapsed, and no page scrolls sideways on a desktop or a phone.
"""

from __future__ import annotations

import pytest
from bookcheck import chapter_pages, toc_pages

WIDTHS = {"desktop": 1400, "phone": 400}

OVERFLOW_JS = """(() => {
  const page = document.scrollingElement;
  const code = [...document.querySelectorAll("article .cell_input pre")]
    .filter((pre) => pre.scrollWidth > pre.clientWidth + 1 && pre.checkVisibility())
    .map((pre) => pre.textContent.split("\\n").reduce((a, b) => (b.length > a.length ? b : a), ""));
  return {page: page.scrollWidth - page.clientWidth, code};
})()"""


def set_width(browser, width: int) -> None:
    browser.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=width < 600)


@pytest.mark.parametrize("device", list(WIDTHS))
@pytest.mark.parametrize("page", toc_pages())
def test_no_horizontal_overflow(page, device, browser):
    browser.open(f"{page}.html")
    set_width(browser, WIDTHS[device])
    found = browser.evaluate(OVERFLOW_JS)
    assert found["page"] <= 1, f"{page} scrolls sideways by {found['page']} px at {WIDTHS[device]} px"
    if device == "desktop":  # on a phone, long code lines scroll inside their block, which is fine
        assert not found["code"], f"{page}: code lines wider than the column at 1400 px: {found['code'][:3]}"


def test_introduction_opens_with_its_picture(browser):
    browser.open("book/intro.html")
    set_width(browser, WIDTHS["desktop"])
    first = browser.evaluate("""(() => {
      const article = document.querySelector("article");
      const img = article.querySelector("img"), para = article.querySelector("p");
      const before = !!img && !!para && !!(img.compareDocumentPosition(para) & Node.DOCUMENT_POSITION_FOLLOWING);
      return {before, width: img ? img.getBoundingClientRect().width : 0, loaded: img ? img.naturalWidth : 0};
    })()""")
    assert first["before"], "the introduction's first paragraph comes before its opening picture"
    assert first["loaded"] > 0 and first["width"] >= 500, f"the opening picture is missing or small: {first}"


@pytest.mark.parametrize("page", chapter_pages())
def test_checking_cells_are_collapsed(page, browser):
    browser.open(f"{page}.html")
    cells = browser.evaluate("""(() => [...document.querySelectorAll(".cell.tag_hide-input")].map((cell) => {
      const pre = cell.querySelector(".cell_input pre");
      return {toggle: !!cell.querySelector("details, .toggle, button"), visible: !!pre && pre.checkVisibility()};
    }))()""")
    assert cells, f"{page}: no cell is tagged hide-input"
    assert all(c["toggle"] and not c["visible"] for c in cells), f"{page}: a hide-input cell shows its code: {cells}"
