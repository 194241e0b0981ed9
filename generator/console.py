"""The engine's console output as zhibu's own.

MkDocs logs in English and warns at every dirty build (which zhibu does on purpose);
zhibu prints its own diagnostics and summaries. `EngineLog` takes over the `mkdocs`
logger: messages zhibu expects are dropped, known ones are said in Chinese, unknown
warnings and errors pass through with a Chinese label, and `-v` shows everything else.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from urllib.parse import unquote

ARCHIVE_ERRORS = "档案中有错误，未生成站点（用 zhibu check 查看）"  # the plugin's failure when the check has errors
# Messages that are part of how zhibu drives MkDocs: never worth a user's attention.
EXPECTED = (
    "A 'dirty' build is being performed",  # zhibu rebuilds only changed pages on purpose
    "The following pages exist in the docs directory, but are not included in the",  # records are not in the nav
    "Aborted with a BuildError",  # zhibu reports the failure itself
    ARCHIVE_ERRORS,  # the plugin's own failure: zhibu lists the diagnostics instead
)
# Known messages worth showing, in Chinese.
TRANSLATIONS = (
    (
        re.compile(r"Doc file '(.+?)' contains a link '(.+?)', but the target '?(.+?)'? is not found"),
        "页面 {0} 中的链接 {1} 指向不存在的页面",
    ),
    (re.compile(r"Doc file '(.+?)' contains an unrecognized relative link '(.+?)'"), "页面 {0} 中的链接 {1} 无法识别"),
    (re.compile(r"Template skipped: '(.+?)' not found"), "找不到模板 {0}，已跳过"),
    (re.compile(r"Config value '(.+?)': (.*)"), "mkdocs.yml 的 {0} 设置有问题：{1}"),
    (re.compile(r"Error reading page '(.+?)':\s*(.*)", re.S), "读取页面 {0} 时出错：{1}"),
    (re.compile(r"Error building page '(.+?)':\s*(.*)", re.S), "生成页面 {0} 时出错：{1}"),
    (  # the record editor's refusals (invalid record, changed file, no token): the browser says why
        re.compile(r'"(?:GET|POST) /\S*_zhibu/edit/(\S*) HTTP/[\d.]+" code (\d+)'),
        "编辑器拒绝了请求 {0}（{1}），原因已显示在浏览器中",
    ),
    (  # a preview address the site does not have: the browser shows the site's 404 page
        re.compile(r'"(?:GET|HEAD) (?P<url>\S+) HTTP/[\d.]+" code 404'),
        "预览中没有这个地址：{url}（浏览器中显示“找不到这个页面”）",
    ),
)
LEVELS = {logging.DEBUG: "调试", logging.INFO: "信息", logging.WARNING: "警告", logging.ERROR: "错误"}


def translate(message: str) -> str | None:
    for pattern, text in TRANSLATIONS:
        if match := pattern.search(message):
            urls = {name: unquote(value) for name, value in match.groupdict().items()}  # 中文, not %E4%B8%AD
            return text.format(*match.groups(), **urls)
    return None


class EngineLog(logging.Handler):
    """Handler for the `mkdocs` logger (MkDocs, Material, zhibu's plugin)."""

    def __init__(self, echo: Callable[[str], None], quiet: bool, verbose: bool) -> None:
        super().__init__(logging.INFO if verbose else logging.WARNING)
        self.echo, self.quiet, self.verbose = echo, quiet, verbose
        self.shown: list[str] = []  # messages already on the console (the CLI need not repeat them)

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        level = LEVELS.get(record.levelno, record.levelname)
        self.shown.append(message)
        if message.startswith(EXPECTED):
            return  # how zhibu drives MkDocs, not a problem: hidden under -v too
        if self.verbose:
            self.echo(f"MkDocs {level}：{message}")
            return
        if record.name.startswith("mkdocs.plugins.zhibu"):
            return  # the plugin's diagnostics: the command prints them itself
        if self.quiet and record.levelno < logging.ERROR:
            return
        self.echo(translate(message) or f"MkDocs {level}：{message}")


def take_over(echo: Callable[[str], None], quiet: bool, verbose: bool) -> EngineLog:
    """Route the `mkdocs` logger through a new EngineLog (replacing an earlier one)."""
    logger = logging.getLogger("mkdocs")
    for old in [h for h in logger.handlers if isinstance(h, EngineLog)]:
        logger.removeHandler(old)
    handler = EngineLog(echo, quiet, verbose)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler
