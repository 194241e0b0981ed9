"""The MkDocs face of the pipeline: `mkdocs build` at the repo root runs zhibu.

on_config checks the archive and writes the generated Markdown into docs_dir;
on_serve watches the content dir so saving a record rebuilds the preview. When
previewing, a save first builds only the saved records' pages (`first`); the
server shows them, then builds the rest from the same check (`rest`).
"""

from __future__ import annotations

import logging
import os
import posixpath
import time
from pathlib import Path
from typing import Any

from markupsafe import Markup
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from generator.console import ARCHIVE_ERRORS
from generator.model import COLLECTIONS
from generator.pipeline import Checked, check, check_saved, generate
from generator.stages.cache import WorkCache, cache_dir
from generator.stages.index import FollowingIndex, IndexingError, index_site, skip_furniture
from generator.stages.publish import detach, owns, template_dir, write_pages
from generator.stages.render import page_title, render, text_page_title, url

log = logging.getLogger("mkdocs.plugins.zhibu")
SAFE_MARKDOWN = "generator.stages.markdown_safe"  # its name in templates/mkdocs.yml
FIRST_AT_MOST = 20  # more saved record files at once (a git pull, an import): one whole rebuild


class ZhibuConfig(base.Config):
    content = c.Type(str, default="content")
    include_restricted = c.Type(bool, default=False)


class ZhibuPlugin(BasePlugin[ZhibuConfig]):
    def __init__(self) -> None:
        self.checked: Checked | None = None  # handed over by the CLI, else computed here
        self.page_count = 0
        self.indexed = 0
        self.index_seconds = 0.0
        self.jobs = 0  # Pagefind processes at a time (0: one a core); the CLI passes its --jobs
        self.generated = False  # the CLI writes the Markdown itself before the build
        self.serving = False
        self.share: tuple[int, int] | None = None  # (part, parts): this process builds only its part
        self.following = FollowingIndex()  # `zhibu serve`: the index rebuilt after each rebuild
        self.first: set[str] = set()  # `zhibu serve`: the saved records' pages, all this build wrote
        self.rest = False  # `zhibu serve`: build everything after `first`, from the same check
        self.served: set[str] = set()  # `zhibu serve`: the site files of the last build, relative to site_dir
        self.cache: WorkCache | None = None  # `zhibu serve`: the work cache, kept in memory between rebuilds
        self.shown: Checked | None = None  # `zhibu serve`: the check the whole served site was last built from
        self.sitemap_kept = False  # the CLI: the previous site's sitemap is this build's (same pages, same day)

    def content_dir(self, config: Any) -> Path:
        """The `content` option, relative to mkdocs.yml; ZHIBU_CONTENT (set by the CLI) wins."""
        chosen = os.environ.get("ZHIBU_CONTENT") or self.config.content
        return (Path(config.config_file_path).parent / chosen).resolve()

    def on_startup(self, command: str, dirty: bool) -> None:
        # Defining on_startup keeps this plugin alive across `mkdocs serve` rebuilds.
        self.serving = command == "serve"

    def on_config(self, config: Any) -> Any:
        rest, self.rest, self.first = self.rest, False, set()
        content = self.content_dir(config)
        if self.serving and self.cache is None:
            self.cache = WorkCache(cache_dir(content))
        checked = self.saved_check() if self.serving and not rest else None
        # Previewing, the rest of a save is built from the save's whole check, made now when its
        # pages were shown from a check of their own (saved_check).
        if checked is None and (self.checked is None or (self.serving and (not rest or self.checked is self.shown))):
            self.checked = check(content, include_restricted=self.config.include_restricted, cache=self.cache)
            if self.cache is not None and self.shown is None:
                self.cache.save()  # the preview's first check: on disk for the next run, however this one ends
        checked = checked or self.checked
        if not checked.ok:
            for diagnostic in checked.diagnostics:
                log.error(str(diagnostic))
            raise PluginError(ARCHIVE_ERRORS)
        assert checked.archive is not None and checked.views is not None
        if self.serving and not rest and not self.first:
            self.first = saved_pages(self.shown, checked)
        if self.first:
            write_pages(Path(config.docs_dir), render(checked.archive, checked.views, only=self.first))
        elif not self.generated:
            self.page_count, _ = generate(checked, Path(config.docs_dir))
        # Material prints site_name raw in <title>, the header and aria-label, and with `| e` in
        # title attributes: escaped text marked safe reads right in all of them.
        config.site_name = Markup(page_title(checked.archive.info.name))
        config.nav = navigation(checked)
        config.theme.dirs.insert(0, str(template_dir() / "theme"))
        if self.sitemap_kept or self.first:  # previewing a save's pages: `rest` makes the sitemap and 404 page
            config.theme.static_templates.discard("sitemap.xml")
        if self.first:
            config.theme.static_templates.discard("404.html")
        return config

    def saved_check(self) -> Checked | None:
        """Previewing a save of a few records since a whole build without errors: a check made for
        their pages alone (pipeline.check_saved), and `first` set to those pages; else None."""
        if self.shown is None or self.checked is not self.shown or self.cache is None:
            return None
        found = check_saved(self.shown, self.cache, FIRST_AT_MOST)
        if found is None:
            return None
        checked, saved = found
        self.first = {url(record.collection, record.id)[1:] for record in saved}
        return checked

    def on_page_markdown(self, markdown: str, page: Any, config: Any, files: Any) -> str:
        """Raw HTML only in pages the renderer wrote (record text in them is already safe HTML);
        a hand-written page's HTML is text and its links start from its own folder."""
        own = (page.meta.get("zhibu") or {}).get("page") not in (None, "text")
        base = posixpath.dirname(page.file.src_uri)
        config.mdx_configs[SAFE_MARKDOWN] = {"raw_html": own, "base": base}
        return markdown

    def on_page_content(self, html: str, page: Any, config: Any, files: Any) -> str:
        if (page.meta.get("zhibu") or {}).get("page") == "record":
            return skip_furniture(html)
        return html

    def on_files(self, files: Any, config: Any) -> Any:
        """Building a part: every file of another part counts as unchanged, so MkDocs' dirty build
        neither reads nor writes it (pages are independent: the nav holds sections only). So does
        every file but a saved record's page when previewing a save (`first`): no file is stat'ed.

        A static file MkDocs is about to copy is removed first: in an incremental build the
        site is a hard-link clone of the previous one, never to be written through (`detach`).
        Previewing: the served files of a deleted record (or a page no longer made) go."""
        if self.share is not None or self.first:
            for file in files:
                if file.src_uri not in self.first and (self.share is None or not owns(file.src_uri, *self.share)):
                    file.is_modified = _unchanged
        if self.serving:  # each file is written whole by replacing it (web/serve.py): nothing to detach
            served = {file.dest_uri for file in files}
            for gone in self.served - served:
                Path(config.site_dir, gone).unlink(missing_ok=True)
            self.served = served
            return files
        for file in files:
            if not file.is_documentation_page() and file.is_modified():
                detach(file.abs_dest_path)
        return files

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        if not self.serving:  # a removed page would be missing for a moment from the preview
            detach(page.file.abs_dest_path)  # written next, and perhaps a link into the previous site
        return output

    def on_post_template(self, output: str, template_name: str, config: Any) -> str:
        target = Path(config.site_dir) / template_name  # 404.html, sitemap.xml (and its .gz)
        if not self.serving:
            detach(target)
            detach(f"{target}.gz")
        return output

    def on_post_build(self, config: Any) -> None:
        if self.share is not None or self.first:
            return  # one part of a build: the whole site is indexed once, when all parts are in
        self.shown = self.checked
        site = Path(config.site_dir)
        if self.serving and (site / "pagefind" / "pagefind.js").is_file():
            self.following.request(site)  # previewing: the index follows in the background
            return
        self.index(site)

    def index(self, site_dir: Path) -> None:
        start = time.perf_counter()
        try:
            self.indexed = index_site(site_dir, jobs=self.jobs)
        except IndexingError as exc:
            raise PluginError(str(exc)) from exc
        self.index_seconds = time.perf_counter() - start

    def on_shutdown(self) -> None:
        if self.cache is not None:
            self.cache.save()

    def on_serve(self, server: Any, config: Any, builder: Any) -> Any:
        server.watch(str(self.content_dir(config)))
        return server


def saved_pages(previous: Checked | None, checked: Checked) -> set[str]:
    """The pages of the record files changed since the site was last built whole, when a save changed
    only a few records (a deleted file, a hand-written page or archive.yaml changes other
    pages: none then, so the whole site is rebuilt at once)."""
    if previous is None:
        return set()
    before, now = previous.content.sources, checked.content.sources
    changed = {rel for rel, digest in now.items() if before.get(rel) != digest}
    if not changed or len(changed) > FIRST_AT_MOST or before.keys() - now.keys():
        return set()
    assert checked.archive is not None
    pages = {
        url(record.collection, record.id)[1:]
        for records in checked.archive.records.values()
        for record in records.values()
        if record.file in changed
    }
    return pages if len(pages) == len(changed) else set()


def _unchanged() -> bool:
    return False


def navigation(checked: Checked) -> list[dict[str, Any]]:
    """Sections only: records are reached from the indexes, never listed in the nav."""
    assert checked.archive is not None
    nav: list[dict[str, Any]] = [{"首页": "index.md"}]
    nav += [{c.label: f"{name}/index.md"} for name, c in COLLECTIONS.items()]
    nav.append({"台账": "ledgers/index.md"})
    nav.append({"标签": "tags/index.md"})
    nav.append({"搜索": "search.md"})
    # Explicit nav titles: a dirty rebuild does not read unchanged pages' front matter.
    pages = sorted(checked.archive.pages, key=lambda p: p.path)
    help_pages = [{text_page_title(p): f"pages/{p.path}.md"} for p in pages]
    nav.append({"资料": [*help_pages, {"字段参考": "help/fields.md"}]})
    return nav
