"""`make screenshots` (tests/book/screenshots.py): whole pages at a given width, cut into pieces without the
blank tail."""

from __future__ import annotations

from PIL import Image
from screenshots import PIECE, cut, shoot


def test_cut_drops_the_blank_tail_and_keeps_every_row(tmp_path):
    image = Image.new("RGB", (300, 4000), "white")
    image.paste((200, 0, 0), (10, 0, 290, 3500))  # ink down to row 3500, white below
    paths = cut(image, tmp_path / "page_400")
    assert [p.name for p in paths] == ["page_400_0.png", "page_400_1.png", "page_400_2.png"]
    heights = [Image.open(p).height for p in paths]
    assert heights == [PIECE, PIECE, 3500 - 2 * PIECE]


def test_a_page_is_shot_whole_at_the_width_asked(tmp_path, bare_browser):
    (tmp_path / "tall.html").write_text(
        '<html><body style="margin: 0"><div style="height: 3000px; background: #fff"></div>'
        '<div style="height: 200px; background: #0000ff"></div></body></html>'
    )
    with bare_browser.serving(tmp_path):
        image = shoot(bare_browser, "tall", 400).convert("RGB")
    assert image.width == 400 and image.height >= 3200
    assert image.getpixel((200, 3100)) == (0, 0, 255)  # the bottom of the page, below the first screen
