"""A Python-Markdown extension that neutralises unsafe link and image targets.

Record text may hold Markdown links; a `javascript:`, `data:` or other scheme
must never reach an href, and images may only come from the site itself, so a
page never loads anything from another host.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

SAFE_LINK_SCHEMES = frozenset({"", "http", "https", "mailto", "tel"})
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def scheme_of(url: str) -> str:
    cleaned = _INVISIBLE.sub("", html.unescape(url))
    try:
        return urlsplit(cleaned).scheme.lower()
    except ValueError:
        return "invalid"


def safe_link(url: str) -> bool:
    return scheme_of(url) in SAFE_LINK_SCHEMES


def local_resource(url: str) -> bool:
    cleaned = _INVISIBLE.sub("", html.unescape(url))
    return scheme_of(url) == "" and not cleaned.startswith("//")


class _Neutralise(Treeprocessor):
    def run(self, root: Element) -> None:
        for element in root.iter():
            if element.tag == "a" and not safe_link(element.get("href", "")):
                element.set("href", "#")
                element.set("class", "zhibu-unsafe-link")
            elif element.tag == "img" and not local_resource(element.get("src", "")):
                alt = element.get("alt", "")
                element.tag = "span"
                element.attrib.clear()
                element.set("class", "zhibu-blocked-image")
                element.text = f"[已屏蔽外部图片：{alt}]"


class SafeLinksExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(_Neutralise(md), "zhibu_safe_links", 0)


def makeExtension(**kwargs: object) -> SafeLinksExtension:
    return SafeLinksExtension(**kwargs)
