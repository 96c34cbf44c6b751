"""Screenshots of the built book, to look at: every page (or the pages named) at 1400 px (desktop) and 400 px
(phone), whole, cut into pieces a screen high, written to _build/shots/<page>_<width>_<k>.png.

`make screenshots` runs it after `make book`; `make screenshots PAGES="notebooks/05_gans book/intro"` takes some
pages only; `make screenshots PROFILE=full` shoots the full profile's book (_build/full/_build/html) into
_build/full/_build/shots. The same offline Chromium as the browser checks (bookcheck.Browser, driven by
Playwright) renders them.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from bookcheck import HTML, ROOT, Browser, find_chromium, toc_pages
from PIL import Image

WIDTHS = (1400, 400)  # desktop, phone
PIECE = 1600  # height of one piece in px: about one and a half screens
BLANK = 245  # grey level above which a row counts as blank (the page's white tail)
# Wait for web fonts and, where a page has math, for MathJax's typesetting.
SETTLED = "document.fonts.ready.then(() => window.MathJax?.startup?.promise).then(() => true)"


def cut(image: Image.Image, stem: Path, piece: int = PIECE) -> list[Path]:
    """Save ``image`` without its blank tail in pieces ``piece`` px high, ``stem_0.png``, ``stem_1.png``, ...;
    return their paths."""
    rgb = image.convert("RGB")
    ink = rgb.convert("L").point(lambda v: 255 if v <= BLANK else 0).getbbox()
    bottom = ink[3] if ink else rgb.height
    paths = []
    for k, top in enumerate(range(0, bottom, piece)):
        path = stem.with_name(f"{stem.name}_{k}.png")
        rgb.crop((0, top, rgb.width, min(bottom, top + piece))).save(path)
        paths.append(path)
    return paths


def shoot(browser: Browser, page: str, width: int) -> Image.Image:
    """The whole of ``page`` (a path under _build/html without .html) rendered ``width`` px wide."""
    browser.open(f"{page}.html", width=width, height=900)
    browser.evaluate(SETTLED)
    return Image.open(io.BytesIO(browser.page.screenshot(full_page=True)))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="pages as _toc.yml names them (default: every page)")
    parser.add_argument("--html", type=Path, default=HTML, help=f"the built book (default: {HTML.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    html = args.html.resolve()
    shots = html.parent / "shots"
    if not (html / "index.html").exists():
        print(f"no built book in {html}: run make book first", file=sys.stderr)
        return 1
    chromium = find_chromium()
    if chromium is None:
        print("chromium not found: install Debian's chromium (apt-get install chromium)", file=sys.stderr)
        return 1
    pages = args.pages or toc_pages()
    missing = [p for p in pages if not (html / f"{p}.html").exists()]
    if missing:
        print(f"not in the built book: {', '.join(missing)}", file=sys.stderr)
        return 1
    shots.mkdir(parents=True, exist_ok=True)
    browser = Browser(chromium, html)
    try:
        for page in pages:
            for width in WIDTHS:
                paths = cut(shoot(browser, page, width), shots / f"{Path(page).name}_{width}")
                print(f"{shots}/{Path(page).name}_{width}_*.png: {len(paths)} pieces")
    finally:
        browser.close()
    print("Open the pieces and look: does each figure show what the sentence above it says?")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
