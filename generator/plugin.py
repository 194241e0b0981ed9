"""The MkDocs face of the pipeline: `mkdocs build` at the repo root runs zhibu.

on_config checks the archive and writes the generated Markdown into docs_dir;
on_serve watches the content dir so saving a record rebuilds the preview.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from .index import IndexingError, index_site
from .model import COLLECTIONS
from .pipeline import Checked, check, generate
from .publish import template_dir

log = logging.getLogger("mkdocs.plugins.zhibu")


class ZhibuConfig(base.Config):
    content = c.Type(str, default="content")
    include_restricted = c.Type(bool, default=False)


class ZhibuPlugin(BasePlugin[ZhibuConfig]):
    def __init__(self) -> None:
        self.checked: Checked | None = None  # handed over by the CLI, else computed here
        self.page_count = 0
        self.indexed = 0
        self.index_seconds = 0.0
        self.generated = False  # the CLI writes the Markdown itself before the build
        self.serving = False

    def content_dir(self, config: Any) -> Path:
        """The `content` option, relative to mkdocs.yml; ZHIBU_CONTENT (set by the CLI) wins."""
        chosen = os.environ.get("ZHIBU_CONTENT") or self.config.content
        return (Path(config.config_file_path).parent / chosen).resolve()

    def on_startup(self, command: str, dirty: bool) -> None:
        # Defining on_startup keeps this plugin alive across `mkdocs serve` rebuilds.
        self.serving = command == "serve"

    def on_config(self, config: Any) -> Any:
        if self.serving or self.checked is None:
            self.checked = check(self.content_dir(config), include_restricted=self.config.include_restricted)
        checked = self.checked
        if not checked.ok:
            for diagnostic in checked.diagnostics:
                log.error(str(diagnostic))
            raise PluginError("档案中有错误，未生成站点（用 zhibu check 查看）")
        assert checked.archive is not None
        if not self.generated:
            self.page_count, _ = generate(checked, Path(config.docs_dir))
        config.site_name = checked.archive.info.name
        config.nav = navigation(checked)
        config.theme.dirs.insert(0, str(template_dir() / "theme"))
        return config

    def on_post_build(self, config: Any) -> None:
        if self.serving and (Path(config.site_dir) / "pagefind" / "pagefind.js").is_file():
            return  # previewing: the index from the first build serves; `zhibu build` makes a fresh one
        start = time.perf_counter()
        try:
            self.indexed = index_site(Path(config.site_dir))
        except IndexingError as exc:
            raise PluginError(str(exc)) from exc
        self.index_seconds = time.perf_counter() - start

    def on_serve(self, server: Any, config: Any, builder: Any) -> Any:
        server.watch(str(self.content_dir(config)))
        return server


def navigation(checked: Checked) -> list[dict[str, Any]]:
    """Sections only: records are reached from the indexes, never listed in the nav."""
    assert checked.archive is not None
    nav: list[dict[str, Any]] = [{"首页": "index.md"}]
    nav += [{c.label: f"{name}/index.md"} for name, c in COLLECTIONS.items()]
    nav.append({"台账": "ledgers/index.md"})
    nav.append({"标签": "tags/index.md"})
    nav.append({"搜索": "search.md"})
    pages = sorted(checked.archive.pages, key=lambda p: p.path)
    help_pages = [{_page_title(p.text, p.path): f"pages/{p.path}.md"} for p in pages]
    nav.append({"资料": [*help_pages, {"字段参考": "help/fields.md"}]})
    return nav


def _page_title(text: str, fallback: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return fallback
