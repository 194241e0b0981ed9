"""The command line: `zhibu check | build | serve`, in Chinese.

Exit codes: 0 success, 1 errors in the archive (or a failed build), 2 usage errors.
"""

from __future__ import annotations

import dataclasses
import errno
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator import cli_zh, console
from generator.diagnostics import Severity
from generator.editing.scaffold import KINDS
from generator.model import COLLECTIONS, date_problem
from generator.pipeline import Checked, check
from generator.stages.publish import default_jobs

if TYPE_CHECKING:
    from generator.editing import writeplan
    from generator.ledgers.span import Span

# Each command imports what only it needs (MkDocs, Jinja, openpyxl, the editing tools) when it
# runs: `zhibu check` then loads none of them (0.3–0.5 s of every check before).
cli_zh.install()  # before the commands below create click's parameter types

CONTENT_HELP = "档案目录（默认 ./content）"


class _ChineseHelp:
    """Chinese help pages: usage line, headings, placeholders and one-line command summaries."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), "用法：")  # type: ignore[attr-defined]

    def get_short_help_str(self, limit: int = 45) -> str:
        """The summary's first sentence, whole: click cuts at a space, which Chinese has none of."""
        text = self.short_help or (self.help or "").strip().split("\n")[0]  # type: ignore[attr-defined]
        return text.split("。")[0]

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        params = self.get_params(ctx)  # type: ignore[attr-defined]
        # Arguments: a row only when the choices need saying (the usage line names them).
        arguments = [
            (p.make_metavar(ctx), "可选：" + "、".join(p.type.choices))
            for p in params
            if isinstance(p, click.Argument) and isinstance(p.type, click.Choice) and "|" not in p.make_metavar(ctx)
        ]
        if arguments:
            with formatter.section("参数"):
                formatter.write_dl(arguments)
        rows = [r for p in params if isinstance(p, click.Option) and (r := p.get_help_record(ctx))]
        if rows:
            with formatter.section("选项"):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            commands = [
                (n, c.get_short_help_str())
                for n in self.list_commands(ctx)
                if (c := self.get_command(ctx, n)) and not c.hidden
            ]
            if commands:
                with formatter.section("命令"):
                    formatter.write_dl(commands)


class Command(_ChineseHelp, click.Command):
    pass


class Group(_ChineseHelp, click.Group):
    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)


SETTINGS = {"help_option_names": ["-h", "--help"]}


def help_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.help_option("-h", "--help", help="显示帮助并退出")(f)


def content_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--content",
        "content_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("content"),
        show_default=False,
        help=CONTENT_HELP,
    )(f)


def _parse_today(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """The written forms a 台账 uses too (2026-12-05, 2026/12/5, 2026.12.5, 2026年12月5日), read
    as `zhibu import` reads them; otherwise what is wrong, in the words `zhibu check` uses."""
    from generator.editing import importer

    if value is None:
        return None
    try:
        return date.fromisoformat(importer.parse_date(value, None)[0])
    except importer.Refused:
        raise click.BadParameter(date_problem(value, "YYYY-MM-DD"), ctx, param, f"“{param.opts[0]}”") from None


def today_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--today", callback=_parse_today, metavar="日期", help="按这一天核查应召开的会议和逾期事项（默认今天）"
    )(f)


def verbosity(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("-q", "--quiet", is_flag=True, help="只输出错误")(f)
    return click.option("-v", "--verbose", is_flag=True, help="输出更多细节（含 MkDocs 日志）")(f)


@click.group(cls=Group, context_settings=SETTINGS, add_help_option=False)
@help_option
@click.version_option(message="zhibu %(version)s", help="显示版本并退出")
def cli() -> None:
    """支部档案：把 YAML 记录生成可检索的内网档案站点。"""


STAGES = {
    "load": "读取记录",
    "validate": "校验",
    "resolve": "解析引用",
    "derive": "统计",
    "render": "生成页面",
    "write": "写入 Markdown",
    "mkdocs": "MkDocs 构建站点",
    "index": "建立搜索索引",
}


class Reporter:
    """Progress on a terminal, quiet elsewhere; one summary line at the end."""

    def __init__(self, quiet: bool, verbose: bool) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.live = sys.stderr.isatty() and not quiet
        self.start = time.perf_counter()
        logging.basicConfig(format="%(levelname)s %(message)s", level=logging.INFO if verbose else logging.WARNING)
        self.engine = console.take_over(self.engine_line, quiet, verbose)
        if not verbose:
            warnings.simplefilter("ignore")  # libraries' English warnings (openpyxl styles …): -v shows them

    def engine_line(self, text: str) -> None:
        self.clear()
        click.echo(text, err=True)

    def stage(self, name: str) -> None:
        if self.live:
            click.echo(f"\r\033[K… {STAGES.get(name, name)}", nl=False, err=True)

    def clear(self) -> None:
        if self.live:
            click.echo("\r\033[K", nl=False, err=True)

    def diagnostics(self, checked: Checked, warnings: bool | None = None) -> tuple[int, int]:
        """Print errors, and warnings unless quiet (or as `warnings` says); count both."""
        self.clear()
        show_warnings = not self.quiet if warnings is None else warnings
        counts = {Severity.ERROR: 0, Severity.WARNING: 0}
        for d in checked.diagnostics:
            counts[d.severity] += 1
            if d.severity is Severity.ERROR or show_warnings:
                click.echo(d.text(self.verbose))
        return counts[Severity.ERROR], counts[Severity.WARNING]

    def say(self, text: Any, err: bool = False) -> None:
        """A line of normal output: dropped under -q."""
        if not self.quiet:
            click.echo(text, err=err)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start


def run_check(content_dir: Path, reporter: Reporter, **kwargs: Any) -> Checked:
    if not content_dir.is_dir():
        raise click.UsageError(f"找不到档案目录 {content_dir}")
    return check(content_dir, progress=reporter.stage, **kwargs)


@cli.command("check", add_help_option=False)
@help_option
@content_option
@click.option("--strict", is_flag=True, help="有警告也视为失败（退出码 1）")
@today_option
@verbosity
def check_command(content_dir: Path, strict: bool, today: date | None, quiet: bool, verbose: bool) -> None:
    """检查档案中的全部记录，一次列出所有错误和警告。"""
    reporter = Reporter(quiet, verbose)
    checked = run_check(content_dir, reporter, today=today)
    errors, warnings = reporter.diagnostics(checked)
    if errors:
        click.echo(f"发现 {errors} 个错误，{warnings} 个警告（共 {checked.record_count} 条记录）。")
        sys.exit(1)
    if not quiet:
        click.echo(f"检查通过：{checked.record_count} 条记录，{warnings} 个警告。")
    if strict and warnings:
        click.echo("--strict：有警告，视为失败。")
        sys.exit(1)


@cli.command("build", add_help_option=False)
@help_option
@content_option
@click.option(
    "--site",
    "site_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    help="站点输出目录（默认 ./site）",
)
@click.option(
    "--include-restricted",
    is_flag=True,
    help="包含受限记录（另建一个供授权人员查阅的站点，务必用 --site 指定另一目录）",
)
@click.option("--check-links", is_flag=True, help="检查站内链接，有失效链接时构建失败")
@click.option("--clean", is_flag=True, help="全新构建，不沿用上次的站点（站点文件被手工删改后用它修复）")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=default_jobs(),
    metavar="进程数",
    help="全新构建时并行生成页面的进程数（默认为 CPU 核数）",
)
@today_option
@verbosity
def build_command(
    content_dir: Path,
    site_dir: Path,
    include_restricted: bool,
    check_links: bool,
    clean: bool,
    jobs: int,
    today: date | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """生成静态站点；失败时保留原有站点不变。"""
    from mkdocs.exceptions import Abort

    from generator.pipeline import generate
    from generator.plugin import navigation
    from generator.stages.publish import (
        build_day,
        build_key,
        find_config,
        is_current,
        record_state,
        reuse_previous,
        run_mkdocs,
        run_mkdocs_parallel,
        sitemap_kept,
        staged_site,
    )

    reporter = Reporter(quiet, verbose)
    if include_restricted and site_dir.resolve() == Path("site").resolve():
        raise click.UsageError("--include-restricted 生成的站点含受限记录，请用 --site 指定另一个目录")
    checked = run_check(content_dir, reporter, include_restricted=include_restricted, today=today)
    errors, warnings = reporter.diagnostics(checked)
    if errors:
        click.echo(f"发现 {errors} 个错误，未生成站点（原有站点保持不变）。")
        sys.exit(1)
    docs_dir = content_dir.resolve().parent / ".zhibu" / "docs"
    config_file = find_config(content_dir)
    page_count = 0

    def hand_over(config: Any, sitemap: bool = False) -> None:
        plugin = config.plugins.get("zhibu")
        if plugin is None:
            raise click.ClickException("mkdocs.yml 的 plugins 中缺少 zhibu")
        plugin.checked, plugin.generated, plugin.page_count = checked, True, page_count
        plugin.sitemap_kept = sitemap
        plugin.jobs = jobs
        reporter.stage("mkdocs")

    try:
        key = build_key(config_file, navigation(checked))
        if not clean and is_current(site_dir, key, checked.inputs):  # the records are as last built: nothing to do
            _fail_on_broken_links(site_dir, check_links)
            reporter.clear()
            reporter.say(
                f"站点 {site_dir} 已是最新（记录与上次构建相同）：{checked.record_count} 条记录，"
                f"{warnings} 个警告，用时 {reporter.seconds:.1f} 秒。站点文件被手工删改过时，用 --clean 重新生成。"
            )
            return
        page_count, written = generate(checked, docs_dir, progress=reporter.stage, jobs=jobs)
        docs = set(written.files)
        day = build_day()
        with staged_site(site_dir) as staging:
            if not clean and reuse_previous(site_dir, staging, key, docs):  # MkDocs rebuilds only the changed pages
                sitemap = sitemap_kept(site_dir, docs)
                run_mkdocs(config_file, docs_dir, staging, lambda config: hand_over(config, sitemap), dirty=True)
            else:
                run_mkdocs_parallel(config_file, docs_dir, staging, hand_over, jobs)
            _fail_on_broken_links(staging, check_links)
            record_state(staging, key, docs, checked.inputs, day)
    except (Exception, KeyboardInterrupt, Abort) as exc:  # MkDocs, Pagefind, disk: keep the old site
        reporter.clear()
        if isinstance(exc, Abort):  # MkDocs logged the cause (a plugin's error) and then gave up
            exc = exc.__context__ or exc
        message = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
        message = message or type(exc).__name__
        reason = "原因见上" if message in reporter.engine.shown else message
        click.echo(f"构建失败（{reason}；原有站点保持不变）", err=True)
        sys.exit(1)
    reporter.clear()
    if not quiet:
        click.echo(
            f"已生成站点 {site_dir}：{checked.record_count} 条记录，{page_count} 个页面，"
            f"{warnings} 个警告，用时 {reporter.seconds:.1f} 秒。"
        )


def _fail_on_broken_links(site: Path, check_links: bool) -> None:
    from generator.stages.links import broken_links

    if check_links and (broken := broken_links(site)):
        for page, link in broken[:50]:
            click.echo(f"失效链接：{page} → {link}", err=True)
        raise click.ClickException(f"发现 {len(broken)} 个失效链接")


def _bound(end: bool) -> Callable[[click.Context, click.Parameter, str | None], date | None]:
    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
        from generator.search.query import parse_bound

        if value is None:
            return None
        try:
            return parse_bound(value, end)
        except ValueError:
            raise click.BadParameter("日期应为 YYYY、YYYY-MM 或 YYYY-MM-DD") from None

    return convert


@cli.command("search", add_help_option=False)
@help_option
@click.argument("words", nargs=-1, metavar="[关键词]...")
@click.option("--type", "kind", metavar="类型", help="类别或类型，如 meetings、会议、支委会、荣誉、省部级")
@click.option("--org", metavar="组织", help="组织编号或名称（含下级组织）")
@click.option("--person", metavar="人员", help="人员编号或姓名")
@click.option("--from", "start", callback=_bound(False), metavar="日期", help="起始日期（YYYY、YYYY-MM 或 YYYY-MM-DD）")
@click.option("--to", "end", callback=_bound(True), metavar="日期", help="截止日期（YYYY、YYYY-MM 或 YYYY-MM-DD）")
@click.option("--tag", metavar="标签", help="标签")
@content_option
@verbosity
def search_command(
    words: tuple[str, ...],
    kind: str | None,
    org: str | None,
    person: str | None,
    start: date | None,
    end: date | None,
    tag: str | None,
    content_dir: Path,
    quiet: bool,
    verbose: bool,
) -> None:
    """在记录中查找（无需生成站点），每行一条：日期、类型、标题、文件。

    关键词里的组织简称（阳极炉）、日期（2025年3月、2025-03、3月份）和类型（支委会、党课、专利）
    按筛选条件处理，其余为关键词。
    """
    from generator.search.query import Query, UnknownFilter, search

    reporter = Reporter(quiet, verbose)
    checked = run_check(content_dir, reporter, include_restricted=True)
    if checked.archive is None or verbose:
        reporter.diagnostics(checked, warnings=verbose)
    if checked.archive is None:
        sys.exit(1)
    if not (words or kind or org or person or start or end or tag):
        raise click.UsageError("请给出关键词或筛选条件")
    try:
        found = search(checked.archive, Query(words, kind, org, person, start, end, tag))
    except UnknownFilter as exc:
        raise click.UsageError(str(exc)) from None
    if found.respelled:
        reporter.say(f"没有找到与“{' '.join(words)}”相关的记录，按“{found.suggested}”查找：", err=True)
    if found.understood.chips:
        reporter.say("按条件：" + "；".join(label for label, _ in found.understood.chips), err=True)
    for record in found.full:
        _echo_found(checked.archive, record)
    if found.partial and not found.full:
        words_text = "”“".join(found.understood.words)
        click.echo(f"没有同时包含“{words_text}”的记录。只包含部分关键词的记录：")
    elif found.partial:
        click.echo("只包含部分关键词的记录：")
    for record in found.partial:
        _echo_found(checked.archive, record)
    errors = sum(d.severity is Severity.ERROR for d in checked.diagnostics)
    if errors:
        reporter.say(f"注意：档案中有 {errors} 个错误，出错的记录没有参与查找（用 zhibu check 查看）。", err=True)
    if not found.full:
        if not found.partial:
            reporter.say("没有找到符合条件的记录。")
        if found.suggested:
            reporter.say(f"是不是“{found.suggested}”？")
        sys.exit(1)


def _echo_found(archive: Any, record: Any) -> None:
    from generator.stages.derive import date_text, record_title

    kind_label = _kind_label(record)
    restricted = " [受限]" if getattr(record.data, "visibility", None) == "受限" else ""
    click.echo(f"{date_text(record):10}  {kind_label}  {record_title(archive, record)}{restricted}  {record.file}")


def _kind_label(record: Any) -> str:
    data = record.data
    kind = getattr(data, "type", None) or getattr(data, "kind", None) or getattr(data, "level", None)
    return kind or COLLECTIONS[record.collection].label


def _parse_period(ctx: click.Context, param: click.Parameter, value: str | None) -> Span | None:
    from generator.ledgers import span as spans

    try:
        return None if value is None else spans.period(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param, "“--period”") from None


def _parse_bound(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--from/--to as a date, month or year, written as a 台账 writes it (2025年3月, 2025.3.8)."""
    from generator.editing import importer

    if value is None:
        return None
    try:
        return importer.parse_date(value, None, partial=True)[0]
    except importer.Refused:
        problem = date_problem(value, "YYYY-MM-DD、YYYY-MM 或 YYYY")
        raise click.BadParameter(problem, ctx, param, f"“{param.opts[0]}”") from None


def _export_span(period: Span | None, first: str | None, last: str | None, full: bool) -> Span:
    from generator.ledgers import span as spans

    if period and (first or last):
        raise click.UsageError("--period 与 --from/--to 只能用一种")
    if full and (period or first or last):
        raise click.UsageError("--full 导出整个档案，不能限定期间")
    if period:
        return period
    try:
        return spans.between(first, last) if first or last else spans.EVERYTHING
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@cli.command("export", add_help_option=False)
@help_option
@content_option
@click.option(
    "--format",
    "fmt",
    type=cli_zh.Choice(["xlsx", "csv", "docx"]),
    default="xlsx",
    help="文件格式：xlsx、csv 台账，或 docx（Word 会议记录本，每个组织每年一本）；默认 xlsx",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("ledgers"),
    help="输出目录（默认 ./ledgers）",
)
@click.option("--include-restricted", is_flag=True, help="包含受限记录")
@click.option("--full", is_flag=True, help="导出全量档案工作簿（每条记录的每个字段，可用 zhibu import archive 导回）")
@click.option(
    "--period", callback=_parse_period, metavar="期间", help="只导出这一期间：2025、2025-H1、2025-Q1 或 2025-03"
)
@click.option("--from", "first", callback=_parse_bound, metavar="日期", help="只导出这一天（或这年、这月）起的记录")
@click.option("--to", "last", callback=_parse_bound, metavar="日期", help="只导出到这一天（或这年、这月）止的记录")
@click.option("--org", metavar="组织", help="只导出这个组织（含下级组织）：编号、名称或简称")
@today_option
@verbosity
def export_command(
    content_dir: Path,
    fmt: str,
    out_dir: Path,
    include_restricted: bool,
    full: bool,
    period: Span | None,
    first: str | None,
    last: str | None,
    org: str | None,
    today: date | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """导出台账：三会一课、会议、出勤、会后落实、荣誉、成果、考核、花名册，每种一个文件；或 Word 会议记录本。"""
    if out_dir.suffix.lower() in (".xlsx", ".csv", ".docx") and not out_dir.is_dir():
        raise click.UsageError(
            f"--out 是输出目录，文件名由台账决定（如 三会一课.xlsx）；“{out_dir}”像文件名，"
            f"请写目录，如 --out {out_dir.with_suffix('')}"
        )
    span = _export_span(period, first, last, full)
    reporter = Reporter(quiet, verbose)
    checked = run_check(content_dir, reporter, include_restricted=include_restricted or full, today=today)
    errors, _ = reporter.diagnostics(checked, warnings=verbose)
    if errors or checked.archive is None or checked.views is None:
        click.echo(f"发现 {errors} 个错误，请先修正（用 zhibu check 查看）。")
        sys.exit(1)
    if org:
        if full:
            raise click.UsageError("--full 导出整个档案，不能限定组织")
        found = checked.archive.records["orgs"][_org_id(checked, org)]
        orgs = frozenset(checked.archive.subtree(found.id))
        span = dataclasses.replace(span, orgs=orgs, org_name=found.data.name)
    with _writing(out_dir):
        if full:
            _export_full(checked.archive, out_dir, include_restricted, checked.views.today)
        elif fmt == "docx":
            _export_minutes(checked.archive, checked.views, out_dir, span, reporter)
        else:
            _export_tables(checked.archive, checked.views, out_dir, span, fmt, reporter)


@contextmanager
def _writing(out_dir: Path) -> Iterator[None]:
    """Creates the output folder; a path that cannot be written is one Chinese line and exit 1, no traceback."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        yield
    except OSError as exc:
        reason = OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))
        raise click.ClickException(f"无法写入“{exc.filename or out_dir}”：{reason}") from None


OS_REASONS = {
    errno.ENOTDIR: "路径中有一段是文件，不是目录",
    errno.ENOENT: "无法在这里建立目录",
    errno.EEXIST: "已有同名文件，不是目录",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "只读的位置",
    errno.ENOSPC: "磁盘空间不足",
}


def _export_tables(archive: Any, views: Any, out_dir: Path, span: Span, fmt: str, reporter: Reporter) -> None:
    from generator.ledgers import export
    from generator.ledgers import span as spans

    tables = export.tables(archive, views, span)
    if span != spans.EVERYTHING and not any(t.rows for t in tables if t.name not in export.SNAPSHOTS):
        reporter.say(f"{span.org_name}{span.name}没有记录（{_archive_span(archive, views)}），未写出台账。")
        return
    for table in tables:
        title = export.heading(archive, table, views.today, span)
        data = export.to_csv(table) if fmt == "csv" else export.to_xlsx(table, views.today, title)
        path = out_dir / f"{table.name}.{fmt}"
        path.write_bytes(data)
        reporter.say(f"{path}  {table.label} {len(table.rows)} 行")


def _archive_span(archive: Any, views: Any) -> str:
    """Where the records lie, for a message about an empty period: 档案自 2024年12月1日 起."""
    from generator.ledgers import span as spans

    meetings = views.ledger_meetings
    first = archive.info.since.start if archive.info.since else meetings[-1].data.date if meetings else None
    return f"档案自 {spans.day_text(first)} 起" if first else "档案中还没有会议记录"


def _export_minutes(archive: Any, views: Any, out_dir: Path, span: Span, reporter: Reporter) -> None:
    from generator.ledgers import minutes
    from generator.ledgers import span as spans

    books = minutes.books(archive, views, span)
    for book in books:
        path = out_dir / book.file_name
        path.write_bytes(minutes.to_docx(archive, views, book, views.today))
        restricted = f"（其中受限会议 {book.restricted} 次，只列日期和类型）" if book.restricted else ""
        reporter.say(f"{path}  会议记录本 {len(book.meetings)} 次会议{restricted}")
    if not books:
        where = "" if span == spans.EVERYTHING else f"{span.org_name}{span.name}"
        reporter.say(f"{where}没有会议记录（{_archive_span(archive, views)}），未写出会议记录本。")
    elif restricted := sum(b.restricted for b in books):
        click.echo(f"注意：{restricted} 次受限会议只列出日期和类型（加 --include-restricted 收入全文）。")


def _export_full(archive: Any, out_dir: Path, include_restricted: bool, today: date) -> None:
    from generator.editing import fullbook

    data, summary = fullbook.write_book(archive, include_restricted, today)
    path = out_dir / "全量档案.xlsx"
    path.write_bytes(data)
    counts = "，".join(f"{label} {n} 条" for label, n in summary.counts.items())
    click.echo(f"{path}  全量档案：{counts}")
    if summary.restricted_left_out:
        click.echo(f"注意：未包含 {summary.restricted_left_out} 条受限记录（加 --include-restricted 才包含）。")


@cli.command("schema", add_help_option=False)
@help_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schemas"),
    help="输出目录（默认 ./schemas）",
)
@click.option(
    "--docs",
    "docs_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="同时写出字段参考（Markdown）到这个文件",
)
@verbosity
def schema_command(out_dir: Path, docs_file: Path | None, quiet: bool, verbose: bool) -> None:
    """写出每类记录的 JSON Schema，供编辑器补全字段、显示说明、标出错误。"""
    from generator.editing.schema import field_reference, schemas

    reporter = Reporter(quiet, verbose)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in schemas().items():
        (out_dir / name).write_text(text, encoding="utf-8")
        reporter.say(out_dir / name)
    if docs_file:
        docs_file.write_text(field_reference() + "\n", encoding="utf-8")
        reporter.say(docs_file)


@cli.command("new", add_help_option=False)
@help_option
@click.argument("kind", type=cli_zh.Choice(list(KINDS)), metavar="类型")
@content_option
@click.option("--org", metavar="组织", help="组织编号或名称（会议按它列出应到人员）")
@click.option("--title", metavar="标题", help="标题（会议默认按档案的惯例生成，如“第4次支委会”）")
@click.option("--type", "kind_value", metavar="类型", help="类型，如 支委会、党课、省部级、读书会")
@click.option("--name", metavar="名称", help="姓名或组织名称（person、org）")
@click.option("--id", "record_id", metavar="编号", help="编号（默认按档案的惯例生成）")
@click.option("--date", "today", callback=_parse_today, metavar="日期", help="记录的日期，如 2025-03-08（默认今天）")
@verbosity
def new_command(
    kind: str,
    content_dir: Path,
    org: str | None,
    title: str | None,
    kind_value: str | None,
    name: str | None,
    record_id: str | None,
    today: date | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """新建一条记录：按档案的惯例（目录、编号、标题）写出带中文说明的模板文件，不覆盖已有文件，并打印其路径。"""
    from generator.editing.scaffold import NewOptions, new_record

    reporter = Reporter(quiet, verbose)
    checked = run_check(content_dir, reporter, include_restricted=True)
    if org:
        org = _org_id(checked, org)
    options = NewOptions(today or date.today(), org, title, kind_value, record_id, name)
    try:
        made = new_record(content_dir, kind, checked.archive, options)
    except (ValueError, FileExistsError) as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(made.path)
    for meeting in made.same_period:
        data = meeting.data
        reporter.say(f"注意：同一期间已有{data.type}：{data.date} {data.title}（{meeting.file}）", err=True)
    if verbose:
        for diagnostic in checked.diagnostics:
            click.echo(diagnostic.text(verbose), err=True)


def _org_id(checked: Checked, text: str) -> str:
    """The org's id for what a person typed; a usage error with "是不是…" suggestions otherwise."""
    archive = checked.archive
    found = archive.find_org(text) if archive else None
    if found:
        return found.id
    if archive is None:
        raise click.UsageError(f"找不到组织“{text}”")
    message = archive.org_error(text)
    raise click.UsageError(
        message if archive.org_names.suggestions(text) else f"{message}（用 zhibu search --type orgs 列出组织）"
    )


@cli.command("init", add_help_option=False)
@help_option
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), metavar="目录")
@verbosity
def init_command(directory: Path, quiet: bool, verbose: bool) -> None:
    """新建一个空档案（含示例组织、人员、会议和编辑说明），可直接通过 zhibu check。"""
    from generator.editing.scaffold import init_archive

    reporter = Reporter(quiet, verbose)
    try:
        written = init_archive(directory, date.today())
    except FileExistsError as exc:
        raise click.UsageError(str(exc)) from None
    for path in written:
        reporter.say(path)
    reporter.say(f"已新建档案。下一步：cd {directory} && zhibu check && zhibu serve")


IMPORT_KINDS = {"会议": "meetings", "人员": "people", "花名册": "people", "荣誉": "honours", "全量": "archive"}


@cli.command("import", add_help_option=False)
@help_option
@click.argument("kind", metavar="meetings|people|honours|archive")
@click.argument("source", type=click.Path(path_type=Path), metavar="文件")
@content_option
@click.option("--sheet", metavar="工作表", help="工作表名称或序号（默认：有可识别表头的那一个）")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="列名=字段",
    help="指定某列对应的字段，如 --map 参会=实到人员；字段写 - 表示忽略这一列",
)
@click.option("--skip-bad", is_flag=True, help="跳过有问题的行，导入其余各行")
@click.option("--update", is_flag=True, help="表中与已有记录不同的单元格更新到记录中（先显示改动）")
@click.option("--yes", is_flag=True, help="不再询问，直接写入 --update 的改动")
@today_option
@verbosity
def import_command(
    kind: str,
    source: Path,
    content_dir: Path,
    sheet: str | None,
    maps: tuple[str, ...],
    skip_bad: bool,
    update: bool,
    yes: bool,
    today: date | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """从 Excel（.xlsx/.xls）或 CSV 台账导入记录：每行一条；已有的记录不会重复导入。

    archive：导入 zhibu export --full 写出的全量档案工作簿（可导入空档案）。
    """
    from generator.editing import fullbook, importer, sheets

    reporter = Reporter(quiet, verbose)
    kind = IMPORT_KINDS.get(kind, kind)
    if kind not in (*importer.KINDS, "archive"):
        raise click.UsageError(
            f"不认识的类别“{kind}”，可用：meetings（会议）、people（人员）、honours（荣誉）、archive（全量工作簿）"
        )
    if not source.is_file():
        raise click.UsageError(f"文件“{source}”不存在")
    if kind == "archive":
        _import_full(source, content_dir, skip_bad, update, yes)
        return
    checked = run_check(content_dir, reporter, include_restricted=True, today=today)
    if checked.archive is None or verbose:
        reporter.diagnostics(checked, warnings=verbose)
    if checked.archive is None:
        sys.exit(1)
    try:
        mapped = importer.parse_maps(kind, maps)
        book = sheets.read_book(source)
        if fullbook.is_full_book(book):
            raise ValueError(f"{source.name} 是全量档案工作簿，请用 zhibu import archive {source.name} 导入")
        known = importer.known_header(kind)
        chosen = sheets.pick_sheet(book, lambda h: known(h) or importer.normal(h) in mapped, sheet)
        table = sheets.find_table(chosen, lambda h: known(h) or importer.normal(h) in mapped)
    except (ValueError, sheets.SheetError) as exc:
        raise click.UsageError(str(exc)) from None
    mapping = importer.map_columns(kind, table.headers, mapped)
    where = f"{source.name}（工作表“{table.sheet}”）"
    reporter.say(f"读取 {where}：表头在第 {table.header_row} 行，{len(table.rows)} 行数据。")
    for note in table.notes:
        reporter.say(f"提示：{note}")
    if mapping.unknown:
        click.echo(f"{source.name}: {importer.unknown_message(kind, mapping.unknown)}")
        click.echo("未写入任何记录。")
        sys.exit(1)
    outcome = importer.plan(kind, table, mapping, content_dir, checked.archive, update=update, today=today)
    for note in outcome.notes[len(table.notes) :]:
        reporter.say(f"提示：{note}")
    for problem in outcome.problems:
        click.echo(f"{source.name}: {problem}")
    for line in outcome.changed:
        click.echo(line)
    if outcome.problems and not skip_bad:
        click.echo(f"有 {len(outcome.problems)} 行无法导入，未写入任何记录（加 --skip-bad 可跳过这些行）。")
        sys.exit(1)
    updates = _write_planned(outcome.planned, outcome.updates, content_dir, yes)
    parts = [f"已导入 {len(outcome.planned)} 条记录"]
    if updates:
        parts.append(f"更新 {len(updates)} 条")
    if outcome.existing:
        parts.append(f"{len(outcome.existing)} 条已在档案中（内容相同，未重复导入）")
    if outcome.changed:
        parts.append(f"{len(outcome.changed)} 条已在档案中但有不同")
    if outcome.problems:
        parts.append(f"跳过 {len(outcome.problems)} 行")
    reporter.say("，".join(parts) + "。")


def _write_planned(
    planned: list[writeplan.Planned], updates: list[writeplan.Planned], content_dir: Path, yes: bool
) -> list[writeplan.Planned]:
    """Write new records; show the changes to existing ones and write them on confirmation or --yes."""
    from generator.editing import writeplan

    if updates:
        for item in updates:
            click.echo(item.diff(content_dir))
            if any(line.lstrip().startswith("#") for line in (item.old or "").splitlines()):
                click.echo("注意：这个文件中的注释（# 开头的行）更新后不再保留。")
        if not yes and not (sys.stdin.isatty() and click.confirm(f"更新这 {len(updates)} 条已有记录？", default=False)):
            click.echo("未更新已有记录（加 --yes 直接写入）。")
            updates = []
    for path in writeplan.write([*planned, *updates], content_dir):
        click.echo(path)
    return updates


def _import_full(source: Path, content_dir: Path, skip_bad: bool, update: bool, yes: bool) -> None:
    from generator.editing import fullbook, sheets

    try:
        book = sheets.read_book(source)
    except sheets.SheetError as exc:
        raise click.UsageError(str(exc)) from None
    if not fullbook.is_full_book(book):
        raise click.UsageError(
            f"{source.name} 不是 zhibu export --full 写出的全量档案工作簿；台账请用 meetings、people 或 honours 导入"
        )
    content_dir.mkdir(parents=True, exist_ok=True)
    checked = check(content_dir, include_restricted=True)
    records, problems = fullbook.read_records(book)
    result = fullbook.plan(records, content_dir, checked.archive, update)
    problems += result.problems
    for problem in problems:
        click.echo(f"{source.name}: {problem}")
    for line in result.changed:
        click.echo(line)
    if problems and not skip_bad:
        click.echo(f"有 {len(problems)} 处问题，未写入任何记录（加 --skip-bad 可跳过有问题的记录）。")
        sys.exit(1)
    updates = _write_planned(result.planned, result.updates, content_dir, yes)
    parts = [f"已导入 {len(result.planned)} 条记录"]
    if updates:
        parts.append(f"更新 {len(updates)} 条")
    if result.existing:
        parts.append(f"{len(result.existing)} 条已在档案中（内容相同）")
    if result.changed:
        parts.append(f"{len(result.changed)} 条已在档案中但有不同")
    if problems:
        parts.append(f"跳过 {len(problems)} 处问题")
    click.echo("，".join(parts) + "。")


@cli.command("serve", add_help_option=False)
@help_option
@content_option
@click.option("--port", type=click.IntRange(1, 65535), default=8000, metavar="端口", help="端口（默认 8000）")
@click.option(
    "--host",
    default="127.0.0.1",
    metavar="地址",
    help="监听地址（默认 127.0.0.1，只有本机能访问）；其他地址时，编辑器需要控制台打印的访问令牌",
)
@verbosity
def serve_command(content_dir: Path, port: int, host: str, quiet: bool, verbose: bool) -> None:
    """本地预览站点（http://127.0.0.1:端口），记录改动后自动刷新；有错误时显示上次成功的站点和问题清单。"""
    from generator.stages.publish import find_config
    from generator.web.serve import PortError, serve

    Reporter(quiet, verbose)
    if not content_dir.is_dir():
        raise click.UsageError(f"找不到档案目录 {content_dir}")
    os.environ["ZHIBU_CONTENT"] = str(content_dir.resolve())
    docs_dir = content_dir.resolve().parent / ".zhibu" / "docs"
    docs_dir.mkdir(parents=True, exist_ok=True)

    def say(text: str, important: bool) -> None:
        if important or not quiet:
            click.echo(text)

    def problems_of(config: Any, failure: BaseException | None) -> list[tuple[str, bool]]:
        plugin = config.plugins.get("zhibu")
        checked = getattr(plugin, "checked", None)
        lines = [(d.text(verbose), d.severity is Severity.ERROR) for d in checked.diagnostics] if checked else []
        if failure is not None and not any(is_error for _, is_error in lines):
            lines.insert(0, (f"MkDocs 生成失败：{failure}", True))
        return lines

    # Dirty rebuilds: only pages whose Markdown changed are rendered again (the nav holds
    # sections only, so it never goes stale).
    try:
        serve(find_config(content_dir), docs_dir, port, say, problems_of, host=host, content=content_dir)
    except PortError as exc:
        error = click.ClickException(str(exc))
        error.exit_code = 2
        raise error from None


def main() -> None:
    try:
        cli.main(standalone_mode=False, prog_name="zhibu")
    except click.exceptions.Abort:
        click.echo("已中断。", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        if possible := getattr(exc, "possibilities", None):  # no such option or command: click says
            names = "、".join(f"“{p}”" for p in possible)  # "'check', 'schema'" after a space
            exc.message, exc.possibilities = f"{exc.message}是不是{names}？", None  # type: ignore[attr-defined]
        hint = f"\n用 “{exc.ctx.command_path} --help” 查看用法。" if exc.ctx else ""
        click.echo(f"用法错误：{exc.format_message()}{hint}", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"错误：{exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
