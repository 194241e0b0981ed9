"""`zhibu serve`: MkDocs' live-reload server that never holds a request.

MkDocs' own `serve` lets a failed rebuild raise, logs that "the server will appear stuck"
and keeps every page request waiting until a build succeeds. Here the builder never
raises. A failed build leaves the last good site where it is; every page gets a red
banner linking to the problems page (every diagnostic, file:line, in Chinese), and the
live-reload poll brings the browser to the repaired site by itself once the records are
fixed. Before any good build, every page is the problems page.
"""

from __future__ import annotations

import errno
import functools
import html
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import mkdocs.utils
import watchdog.observers
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer, _serve_url, _timestamp
from watchdog.events import FileClosedEvent, FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent

if TYPE_CHECKING:
    from generator.web.editor import Editor

PROBLEMS_PATH = "_zhibu/problems/"
_BODY = re.compile(rb"<body[^>]*>")
BANNER = (
    '<div id="zhibu-problems" role="alert" style="position:sticky;top:0;z-index:10000;background:#c62828;'
    'color:#fff;padding:.6em 1em;font:600 15px/1.5 sans-serif">{text} '
    '<a href="{href}" style="color:#fff;text-decoration:underline">查看全部问题</a></div>'
)
PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title} - zhibu 预览</title>
<style>body{{font:16px/1.6 sans-serif;margin:0 auto;max-width:60em;padding:1em}}
h1{{color:#c62828;font-size:1.4em}} li{{margin:.3em 0}} code{{background:#f4f4f4;padding:0 .2em}}
.warning{{color:#8a6d00}}</style></head>
<body><h1>{title}</h1><p>{lead}</p>{items}
<p>修改记录并保存后，本页会自动刷新。</p></body></html>
"""


class PortError(Exception):
    """The preview port cannot be used (taken, or not allowed); the message is one Chinese line."""


# What a save does to a file. Not opening or reading one: each rebuild reads every record.
CHANGES = [FileCreatedEvent, FileModifiedEvent, FileMovedEvent, FileDeletedEvent, FileClosedEvent]


class _Observer(watchdog.observers.Observer):  # type: ignore[misc,valid-type]
    """The system's file events (inotify, FSEvents, ReadDirectoryChangesW) instead of MkDocs'
    half-second polling, which stats every record file: a save is seen at once."""

    def schedule(self, event_handler: Any, path: Any, *, recursive: bool = False, event_filter: Any = None) -> Any:
        return super().schedule(event_handler, path, recursive=recursive, event_filter=event_filter or CHANGES)


class PreviewServer(LiveReloadServer):
    """LiveReloadServer with a problems page and a banner while the last build failed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problems: list[tuple[str, bool]] = []  # (text, is_error): the last build's diagnostics
        self.built = False  # whether a build has ever succeeded
        self.bound = False  # whether bind() has taken the port
        self.editor: Editor | None = None  # the record editor's pages and API (web/editor.py)
        self.observer = _Observer()
        self.error_handler = self.not_found_page

    def not_found_page(self, code: int) -> bytes | None:
        """The site's own 404 page (templates/theme/404.html) for an address it does not have, as
        a built site behind a web server shows it; MkDocs' bare "404 Not Found" before one is built."""
        if code != 404:
            return None
        try:
            page = (Path(self.root) / "404.html").read_bytes()
        except OSError:
            return None
        return self._inject_js_into_html(page, self._visible_epoch)

    def reveal(self) -> None:
        """Serve what is built so far and reload the open tabs, while the build goes on."""
        with self._epoch_cond:
            self._visible_epoch = self._wanted_epoch
            self._epoch_cond.notify_all()

    def next_epoch(self) -> None:
        """Mark the site as changed again: the open tabs reload when the builder returns."""
        with self._rebuild_cond:
            self._wanted_epoch = max(_timestamp(), self._visible_epoch + 1)

    def bind(self) -> None:
        """Take the port now, before the first build, so a busy port is reported at once.

        Raises PortError with a one-line Chinese message.
        """
        try:
            self.server_bind()
            self.server_activate()
        except OSError as exc:
            self.server_close()
            port = self.server_address[1]
            if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)):
                reason = "已被占用（可能另一个 zhibu serve 正在运行）"
            else:
                reason = f"无法使用（{exc.strerror or exc}）"
            raise PortError(f"端口 {port} {reason}，请换一个端口，例如 zhibu serve --port {port % 65535 + 1}") from exc
        self.bound = True

    def server_bind(self) -> None:  # LiveReloadServer.serve() binds again; bind() already did
        if not self.bound:
            super().server_bind()

    def server_activate(self) -> None:
        if not self.bound:
            super().server_activate()

    def _serve_request(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes] | None:
        path = environ["PATH_INFO"].encode("latin-1").decode("utf-8", "ignore")
        if self.editor is not None and self.editor.owns(path):
            return self.editor(environ, start_response)
        if path == self.mount_path + PROBLEMS_PATH or (not self.built and self._is_page(path)):
            body = self._inject_js_into_html(self.problems_page(), self._visible_epoch)
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")])
            return [body]
        return super()._serve_request(environ, start_response)

    @staticmethod
    def _is_page(path: str) -> bool:
        return not path.startswith("/livereload/") and (path.endswith("/") or path.endswith(".html"))

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        content = super()._inject_js_into_html(content, epoch)
        if self.editor is not None:
            content = self.editor.button(content)
        errors = sum(is_error for _, is_error in self.problems)
        if not errors or b'id="zhibu-problems-page"' in content:
            return content
        text = f"档案中有 {errors} 个错误，这里显示的是上次成功生成的站点。"
        banner = BANNER.format(text=text, href=html.escape(self.mount_path + PROBLEMS_PATH)).encode()
        match = _BODY.search(content)
        at = match.end() if match else 0
        return content[:at] + banner + content[at:]

    def problems_page(self) -> bytes:
        errors = sum(is_error for _, is_error in self.problems)
        if errors:
            title = f"档案中有 {errors} 个错误"
            lead = "按下面的文件和行号修改记录（与 zhibu check 的输出相同）。" + (
                "修好之前，预览显示上次成功生成的站点。" if self.built else ""
            )
        else:
            title, lead = "没有错误", f'<a href="{html.escape(self.mount_path)}">返回首页</a>'
        items = "".join(
            f'<li class="{"error" if is_error else "warning"}"><code>{html.escape(text)}</code></li>'
            for text, is_error in self.problems
        )
        page = PAGE.format(title=title, lead=lead, items=f'<ol id="zhibu-problems-page">{items}</ol>')
        return page.encode("utf-8")


def serve(
    config_file: Path,
    docs_dir: Path,
    port: int,
    say: Callable[[str, bool], None],
    problems_of: Callable[[Any, BaseException | None], list[tuple[str, bool]]],
    host: str = "127.0.0.1",
    content: Path | None = None,
) -> None:
    """Serve the site on host:port until Ctrl-C, rebuilding when watched files change.

    `say(text, important)` prints a line (important: errors, shown even under -q);
    `problems_of(config, failure)` lists the build's diagnostics as (text, is_error).
    With `content`, the record editor is served too (web/editor.py).
    """
    site_dir = tempfile.mkdtemp(prefix="zhibu-serve-")
    # Pages are served while the listings and ledgers of a save are still being written:
    # each file appears whole or not at all.
    mkdocs.utils.write_file, mkdocs.utils.copy_file = write_whole, copy_whole

    themes: dict[tuple[str, ...], Any] = {}

    def get_config() -> Any:
        config = load_config(config_file=str(config_file), site_dir=site_dir, docs_dir=str(docs_dir))
        config.site_url = serve_url
        keep_theme(config.theme, themes)
        return config

    first = load_config(config_file=str(config_file), site_dir=site_dir, docs_dir=str(docs_dir))
    keep_theme(first.theme, themes)
    mount_path = urlsplit(first.site_url or "/").path
    serve_url = first.site_url = _serve_url(host, port, mount_path)

    def builder(config: Any = None) -> None:
        start = time.perf_counter()
        config = config or get_config()
        failure = attempt(config)
        plugin = config.plugins.get("zhibu")
        if failure is None and plugin is not None and plugin.first:
            # Only the saved records' pages were built: show them now, then build the rest
            # (listings, ledgers) from the same check; the tab reloads again when they are in.
            say(f"已更新所改记录的页面（{time.perf_counter() - start:.1f} 秒），正在更新列表和台账……", False)
            server.problems = problems_of(config, None)
            server.reveal()
            plugin.rest = True
            config = get_config()
            failure = attempt(config)
            server.next_epoch()
        server.problems = problems_of(config, failure)
        errors = sum(is_error for _, is_error in server.problems)
        warnings = len(server.problems) - errors
        if failure is None:
            extra = f"有 {warnings} 个警告，用 zhibu check 查看。" if warnings else ""
            say(f"{'已更新' if server.built else '已生成'}预览（{time.perf_counter() - start:.1f} 秒）。{extra}", False)
            server.built = True
            return
        where = "上次成功生成的站点仍可浏览，页面顶部有红色提示" if server.built else "浏览器中显示问题清单"
        say(f"发现 {errors} 个错误，未更新预览（{where}）：", True)
        for text, is_error in server.problems:
            say(f"  {text}", is_error)

    def attempt(config: Any) -> BaseException | None:
        try:
            build(config, serve_url=serve_url, dirty=True)
        except (Exception, SystemExit) as exc:  # MkDocs' Abort is a SystemExit
            return exc
        return None

    server = PreviewServer(builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path)
    try:
        server.bind()
    except PortError:
        shutil.rmtree(site_dir, ignore_errors=True)
        raise
    first.plugins.on_startup(command="serve", dirty=True)
    try:
        builder(first)
        server.watch(str(config_file))  # the plugin watches the content dir; docs_dir is generated from it
        first.plugins.on_serve(server, config=first, builder=builder)
        say(f"预览地址：{serve_url} （Ctrl-C 退出）", True)
        if content is not None:
            from generator.web.editor import Editor  # ruamel.yaml and git only when editing

            server.editor = Editor.serving(content, host, mount_path, lambda: server._visible_epoch)
            say(f"编辑器地址：http://{host}:{port}{server.editor.url}", True)
        try:
            server.serve()
        except KeyboardInterrupt:
            say("已停止预览。", False)
        finally:
            server.shutdown()
    finally:
        first.plugins.on_shutdown()
        if os.path.isdir(site_dir):
            shutil.rmtree(site_dir, ignore_errors=True)


def keep_theme(theme: Any, kept: dict[tuple[str, ...], Any]) -> None:
    """Give every rebuild the same Jinja environment for the same theme folders, so the theme's
    templates are compiled and its files listed once per preview, not at every save."""
    make = theme.get_env

    def get_env() -> Any:
        key = (*theme.dirs, str(theme.locale))
        if key not in kept:
            env = kept[key] = make()
            env.auto_reload = True  # an edited template still shows
            env.loader.list_templates = functools.cache(env.loader.list_templates)
        return kept[key]

    theme.get_env = get_env


def write_whole(content: bytes, output_path: str) -> None:
    """MkDocs' write_file, made atomic: a reader gets the old file or the new one, never a part."""
    folder = os.path.dirname(output_path)
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".zhibu-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, output_path)
    except BaseException:
        os.unlink(temporary)
        raise


def copy_whole(source_path: str, output_path: str) -> None:
    """MkDocs' copy_file (the output may name a folder), made atomic like write_whole."""
    if os.path.isdir(output_path):
        output_path = os.path.join(output_path, os.path.basename(source_path))
    with open(source_path, "rb") as source:
        write_whole(source.read(), output_path)
