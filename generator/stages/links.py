"""Link checking over a built site: every internal href/src must point at a file."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.extend(value for name, value in attrs if name in ("href", "src") and value)


def page_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.urls


def broken_links(site_dir: Path) -> list[tuple[str, str]]:
    """(page, link) for every internal link of every page that leads nowhere."""
    broken = []
    for file in sorted(site_dir.rglob("*.html")):
        base = "/" + file.relative_to(site_dir).as_posix()
        for url in page_links(file.read_text(encoding="utf-8", errors="replace")):
            if urlsplit(url).scheme or url.startswith(("#", "//")):
                continue
            target = unquote(urlsplit(urljoin(base, url)).path)
            path = site_dir / target.lstrip("/")
            if target.endswith("/"):
                path = path / "index.html"
            if not path.exists():
                broken.append((base, url))
    return broken
