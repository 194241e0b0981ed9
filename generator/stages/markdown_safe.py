"""Record text through Python-Markdown: Markdown yes, raw HTML never, links only where allowed.

The extension is registered in templates/mkdocs.yml, and the renderer converts Markdown
fields with the same engine, so what counts as code, a link or HTML is decided by
Python-Markdown's own processors, never guessed beside them:

- raw HTML blocks and inline HTML are text (the processors that would keep them are removed);
- entities show as typed (`&lt;` stays `&lt;` on the page);
- a link may go to an http(s) or mailto address or to a relative path inside the site, an
  image only to a relative path inside the site. `zhibu check` reports anything else with
  its line (`link_problem`); the tree processor here neutralises it too, as a second belt;
- in record text, a link to a hand-written page's file (`pages/rules.md`) goes to that page's
  address (`pages/rules/`): `page_of` is the one rule, `zhibu check` says when no such page exists.

Pages the generator writes itself carry trusted HTML (charts, tables, the search form), so
the zhibu plugin turns `raw_html` on for them and off for hand-written pages. In them, HTML
between RAW_START and RAW_END lines (the long ledger tables) is kept as it is without being
parsed: Python-Markdown's HTML parser took seconds over the thousands of rows.
"""

from __future__ import annotations

import html
import posixpath
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import yaml
from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import ENTITY_RE, InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from generator.diagnostics import quoted

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
EXAMPLE_PATH = "files/2023/签到表.pdf"


@lru_cache(maxsize=1 << 16)
def link_problem(url: str, *, image: bool, base: str = "") -> str | None:
    """Why url may not be a link (or image) target in record text, in Chinese; None when it may.

    base is the folder (site-relative, POSIX) that relative paths start from. Remembered: the
    generated pages repeat the same few thousand links (people, orgs, listings) tens of
    thousands of times.
    """
    what = "图片" if image else "链接"
    shown = quoted(url)
    cleaned = html.unescape(url).strip()  # as the browser reads the attribute
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in cleaned):
        return f"{what}{shown}含有换行、Tab 或不可见字符，浏览器会忽略它们"
    if "\\" in cleaned or "\\" in unquote(cleaned):
        return f"{what}{shown}含有反斜杠“\\”：浏览器把它当作“/”，可能指向其他网站；路径请用“/”"
    if cleaned.startswith("//"):
        return f"{what}{shown}以“//”开头，会指向其他网站；请写完整的 https:// 网址或站内相对路径"
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return f"{what}{shown}不是有效的网址"
    scheme = parts.scheme.lower()
    if scheme:
        if image:
            return f"{what}{shown}来自其他网站或协议：图片只能用站内相对路径，如 files/2023/照片.jpg"
        if scheme not in LINK_SCHEMES:
            return f"{what}{shown}不允许：只能用 http://、https://、mailto: 开头的网址或站内相对路径"
        if scheme != "mailto" and not parts.netloc:
            return f"{what}{shown}缺少网站地址，应为 {scheme}://主机名/…"
        return None
    if cleaned.startswith("/"):
        return f"{what}{shown}以“/”开头：请写相对路径，如 {EXAMPLE_PATH}"
    if ":" in parts.path.split("/")[0]:
        return f"{what}{shown}不是网址也不是站内路径（冒号前不是 http、https 或 mailto）"
    depth = len([p for p in base.split("/") if p])
    for segment in unquote(parts.path).split("/"):
        depth += -1 if segment == ".." else 0 if segment in ("", ".") else 1
        if depth < 0:
            from_root = re.sub(r"^(?:\.\./)+", "", cleaned)
            hint = f"；记录里的站内路径从档案根目录算起，是不是“{from_root}”？" if not base and from_root else ""
            return f"{what}{shown}指向站点之外（“..”过多）{hint}"
    return None


def page_of(url: str) -> str | None:
    """The hand-written page (its path under pages/, without .md) a relative link in record text
    names as a file, pages/rules.md; None for any other link."""
    parts = urlsplit(url.strip())
    path = posixpath.normpath(unquote(parts.path))  # ./pages/rules.md too
    if parts.scheme or parts.netloc or not path.startswith("pages/") or not path.endswith(".md"):
        return None
    return path[len("pages/") : -len(".md")] or None


def _page_address(url: str) -> str:
    """A link to a hand-written page's file as the link to its page (directory URLs:
    pages/rules.md is served at pages/rules/, pages/guide/index.md at pages/guide/)."""
    parts = urlsplit(url.strip())
    folder, _, name = parts.path[: -len(".md")].rpartition("/")
    path = f"{folder}/" if name == "index" else f"{folder}/{name}/"
    return parts._replace(path=path).geturl()


class _TypedEntity(InlineProcessor):
    """`&lt;` as typed: the entity's ampersand is escaped instead of being kept raw."""

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[str, int, int]:  # type: ignore[override]
        return self.md.htmlStash.store("&amp;" + m.group(1)[1:]), m.start(0), m.end(0)


class _Links(Treeprocessor):
    """Collects every link and image target; neutralises those that break the rules."""

    def __init__(self, md: Markdown, extension: SafeMarkdownExtension) -> None:
        super().__init__(md)
        self.extension = extension
        self.found: list[tuple[bool, str]] = []

    def run(self, root: Element) -> None:
        base, prefix = self.extension.getConfig("base"), self.extension.getConfig("prefix")
        record_text = self.extension.getConfig("record_text")
        for element in root.iter():
            attribute = {"a": "href", "img": "src"}.get(element.tag)
            if attribute is None or attribute not in element.attrib:
                continue
            url, image = element.get(attribute, ""), element.tag == "img"
            self.found.append((image, url))
            if link_problem(url, image=image, base=base):
                _neutralise(element, image)
                continue
            target = _page_address(url) if record_text and not image and page_of(url) else url
            if prefix and not urlsplit(target.strip()).scheme and not target.startswith("#"):
                target = prefix + target.strip()
            element.set(attribute, target)


def _neutralise(element: Element, image: bool) -> None:
    if image:
        alt = element.get("alt", "")
        element.tag = "span"
        element.attrib.clear()
        element.set("class", "zhibu-blocked-image")
        element.text = f"[已屏蔽的图片：{alt}]"
    else:
        element.attrib.clear()
        element.set("class", "zhibu-unsafe-link")


class SafeMarkdownExtension(Extension):
    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "raw_html": [False, "Keep raw HTML (only for pages the generator writes itself)"],
            "base": ["", "Folder that relative links start from, for the link rules"],
            "prefix": ["", "Prepended to relative links (record text links from the site root)"],
            "record_text": [False, "Record text, not a page MkDocs renders: links to pages/*.md go to the pages"],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        if self.getConfig("raw_html"):
            md.preprocessors.register(_RawBlocks(md), "zhibu_raw", 25)  # before html_block (20)
        else:
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")
            md.inlinePatterns.register(_TypedEntity(ENTITY_RE, md), "entity", 80)
        self.links = _Links(md, self)
        md.treeprocessors.register(self.links, "zhibu_links", 0)


RAW_START, RAW_END = "<!-- zhibu:raw -->", "<!-- /zhibu:raw -->"


class _RawBlocks(Preprocessor):
    """The lines between a RAW_START and a RAW_END line, stashed whole as one block of HTML."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        block: list[str] | None = None
        for line in lines:
            if block is None and line == RAW_START:
                block = []
            elif block is None:
                out.append(line)
            elif line == RAW_END:
                out += ["", self.md.htmlStash.store("\n".join(block)), ""]
                block = None
            else:
                block.append(line)
        return out if block is None else [*out, RAW_START, *block]


def makeExtension(**kwargs: Any) -> SafeMarkdownExtension:
    return SafeMarkdownExtension(**kwargs)


@cache
def site_extensions() -> tuple[Any, ...]:
    """The Markdown extensions of the site (templates/mkdocs.yml) for record text."""
    config = yaml.safe_load(resources.files("generator.templates").joinpath("mkdocs.yml").read_text("utf-8"))
    names = (next(iter(e)) if isinstance(e, dict) else e for e in config["markdown_extensions"])
    return tuple(n for n in names if n not in ("generator.stages.markdown_safe", "toc"))  # ids belong to the page


@cache
def _engine() -> tuple[Markdown, SafeMarkdownExtension]:
    extension = SafeMarkdownExtension(record_text=True)
    return Markdown(extensions=[*site_extensions(), extension]), extension


def to_html(text: str, prefix: str = "") -> str:
    """Record Markdown as safe HTML; relative links are site-root paths, made page-relative by prefix."""
    md, extension = _engine()
    extension.setConfig("prefix", prefix)
    extension.links.found = []
    return md.reset().convert(text)


def links_in(text: str) -> list[tuple[bool, str]]:
    """(is image, target) of every link and image in Markdown text, as Python-Markdown reads it."""
    if "[" not in text and "<" not in text:  # every link, image, reference and autolink has one
        return []
    to_html(text)
    return _engine()[1].links.found


def offset_of(text: str, url: str) -> int:
    """Where url is within text; Python-Markdown may have changed its spaces, so the
    longest piece without spaces is looked for too (0 when neither is found)."""
    pieces = sorted(url.split(), key=len, reverse=True)
    at = text.find(url)
    if at < 0 and pieces:
        at = text.find(pieces[0])
    return max(at, 0)


def page_base(path: str) -> str:
    """The docs folder a hand-written page's relative links start from."""
    return posixpath.dirname(f"pages/{path}")
