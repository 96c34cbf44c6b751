"""No broken internal link in the built book: every relative href/src of every page resolves to a built file,
and every #fragment to an element id on the target page (an offline equivalent of linkchecker)."""

from __future__ import annotations

import functools
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            value = attrs.get(key)
            if value and tag in ("a", "link", "img", "script", "source", "audio", "iframe"):
                self.links.append(value)


@functools.cache
def parse(path: Path) -> LinkParser:
    parser = LinkParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def broken_links(root: Path) -> list[str]:
    broken = []
    for page in sorted(root.rglob("*.html")):
        if "_static" in page.parts:
            continue  # third-party theme files
        for link in parse(page).links:
            url = urlsplit(link)
            if url.scheme or url.netloc or link.startswith(("data:", "javascript:", "mailto:")):
                continue  # external or inline: not ours to check offline
            target = page if not url.path else (page.parent / unquote(url.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(root)}: {link} (no such file)")
            elif url.fragment and target.suffix == ".html" and unquote(url.fragment) not in parse(target).ids:
                broken.append(f"{page.relative_to(root)}: {link} (no element with that id)")
    return broken


def test_no_broken_internal_links(built_book):
    pages = list(built_book.rglob("*.html"))
    assert len(pages) > 5, "the book has hardly any pages"
    assert broken_links(built_book) == []


def test_the_checker_finds_a_broken_link(tmp_path):
    (tmp_path / "a.html").write_text('<a href="b.html#there">b</a><a href="missing.html">x</a><a href="#here">h</a>')
    (tmp_path / "b.html").write_text('<p id="elsewhere"></p>')
    assert broken_links(tmp_path) == [
        "a.html: b.html#there (no element with that id)",
        "a.html: missing.html (no such file)",
        "a.html: #here (no element with that id)",
    ]
