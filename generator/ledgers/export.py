"""Ledgers (台账) as tables, written as CSV or XLSX: `zhibu export` and the site's downloads.

Column headers are Chinese and are the same ones `zhibu import` reads, so a
ledger can be exported, edited in Excel and imported again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import partial
from importlib.metadata import version

from generator import vocab
from generator.editing import itemlines
from generator.editing.sheets import csv_safe
from generator.ledgers import compute as ledgers
from generator.ledgers.span import EVERYTHING, Span, day_text
from generator.model import parse_partial_date
from generator.stages.cache import code_version
from generator.stages.derive import Views
from generator.stages.publish import Deferred
from generator.stages.resolve import Archive, Record

Cell = str | int | float | date | None


RESTRICTED = vocab.RESTRICTED_MEETING


@dataclass(frozen=True)
class Table:
    name: str  # the file name without extension: 会议.xlsx
    label: str
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    restricted: int = 0  # rows standing for restricted meetings: counted, shown without content
    keys: tuple[str, ...] = ()  # adjacent columns printed again on every page of a sheet wider than one page

    @property
    def note(self) -> str:
        """The line under the title when restricted meetings are counted in the sheet."""
        if not self.restricted:
            return ""
        return f"注：含受限会议 {self.restricted} 次，只列日期、组织、类型和人数，计入合计，不列出内容。"


SNAPSHOTS = ("党员花名册", "入党积极分子和发展对象")  # as at the span's end: not records held inside it
OPTIONAL = ("公开范围", "入党时间")  # left out of a file where they would be empty in every row


def _trimmed(table: Table) -> Table:
    """The table without the optional columns that are empty in every row."""
    keep = [
        i
        for i, header in enumerate(table.headers)
        if header not in OPTIONAL or any(row[i] not in (None, "") for row in table.rows)
    ]
    if len(keep) == len(table.headers):
        return table
    rows = [tuple(row[i] for i in keep) for row in table.rows]
    return replace(table, headers=tuple(table.headers[i] for i in keep), rows=rows)


def _names(archive: Archive, refs: list[str]) -> str:
    return "、".join(archive.get("people", r).data.name if archive.get("people", r) else r for r in refs)


def _belongs(archive: Archive, span: Span, org: str | None, person: str | None) -> bool:
    """Whether an org, or a person through any of their memberships, is inside the span's orgs."""
    if span.orgs is None:
        return True
    found = archive.get("people", person)
    return span.has_org(org) or bool(found and span.has_org(*(m.org for m in found.data.memberships)))


def _name(archive: Archive, collection: str, ref: str | None) -> str:
    found = archive.get(collection, ref)
    return found.data.name if found else (ref or "")


def compliance(archive: Archive, views: Views, span: Span) -> Table:
    """三会一课 per org, meeting type and year: 应召开, 已召开, 完成率 — the cells of the compliance ledger.

    Restricted meetings count as they do on the site; their ids read 受限 unless restricted records are included.
    Within a span, only the periods wholly inside it count (by the period a meeting covers).
    """
    rows: list[tuple[Cell, ...]] = []
    for row in (r for r in views.compliance if span.has_org(r.org.id)):
        inside = [c for c in row.cells if span.holds(c.period.start, c.period.end)]
        for year in sorted({c.period.start.year for c in inside}):
            cells = [c for c in inside if c.period.start.year == year]
            held, required = ledgers.tally(cells)
            ids = [("受限" if m.key in views.hidden else m.id) for c in cells for m in c.meetings]
            missing = [c.period.short for c in cells if c.status == "missing"]
            pending = any(c.status == "pending" for c in cells)
            rate: Cell = held / required if required else ("未到期" if pending else None)
            rows.append(
                (
                    row.org.data.name,
                    row.type,
                    ledgers.FREQUENCY_LABELS[row.frequency],
                    year,
                    required,
                    held,
                    rate,
                    "、".join(missing),
                    "、".join(ids),
                )
            )
    headers = ("组织", "会议类型", "频次要求", "年度", "应召开", "已召开", "完成率", "未召开期间", "会议编号")
    return Table("三会一课", "三会一课台账", headers, rows)


def _meetings(views: Views, span: Span) -> list[Record]:
    """The meetings held inside the span, restricted ones too, oldest first: inspectors read in order."""
    return [m for m in reversed(views.ledger_meetings) if span.holds(m.data.date) and span.has_org(m.data.org)]


def meetings(archive: Archive, views: Views, span: Span) -> Table:
    rows: list[tuple[Cell, ...]] = []
    held = _meetings(views, span)
    for m in held:
        d, att = m.data, views.attendance[m.id]
        if m.key in views.hidden:
            where = (d.date, _name(archive, "orgs", d.org), d.type, RESTRICTED)
            counts = (len(att.expected), len(att.present), att.rate)
            rows.append((None, *where, None, None, None, None, *counts, *[None] * 10))
            continue
        absent = "、".join(
            f"{_name(archive, 'people', a.person)}（{a.reason}）" if a.reason else _name(archive, "people", a.person)
            for a in d.absent
        )
        rows.append(
            (
                m.id,
                d.date,
                _name(archive, "orgs", d.org),
                d.type,
                d.title,
                d.time,
                d.location,
                _name(archive, "people", d.host),
                _name(archive, "people", d.recorder),
                len(att.expected),
                len(att.present),
                att.rate,
                _names(archive, d.attendees),
                absent,
                _name(archive, "people", d.lecturer),
                d.topic,
                str(d.covers) if d.covers else None,
                itemlines.agenda_text(d.agenda),
                d.summary,
                itemlines.decisions_text(d.decisions),
                itemlines.actions_text(d.actions, partial(_name, archive, "people")),
                d.visibility,
            )
        )
    table = Table(
        "会议",
        "会议台账",
        (
            "编号",
            "日期",
            "组织",
            "类型",
            "标题",
            "时间",
            "地点",
            "主持人",
            "记录人",
            "应到",
            "实到",
            "出席率",
            "实到人员",
            "缺席人员",
            "授课人",
            "题目",
            "覆盖期间",
            "议程",
            "会议内容",
            "决议",
            "会后落实",
            "公开范围",
        ),
        rows,
        sum(m.key in views.hidden for m in held),
        ("日期", "组织", "类型", "标题"),
    )
    return _trimmed(table)


def attendance(archive: Archive, views: Views, span: Span) -> Table:
    """A row per person and meeting; a restricted meeting's rows count who came without naming anyone."""
    rows = []
    held = _meetings(views, span)
    for m in held:
        att = views.attendance[m.id]
        hidden = m.key in views.hidden
        reasons = {} if hidden else dict(att.absent)
        status = {p: "出席" for p in att.present} | {p: "缺席" for p, _ in att.absent}
        status |= {p: "列席" for p in att.extra} | {p: "未登记" for p in att.unaccounted}
        for person, state in status.items():
            rows.append(
                (
                    m.data.date,
                    RESTRICTED if hidden else m.data.title,
                    _name(archive, "orgs", m.data.org),
                    m.data.type,
                    "不列出" if hidden else archive.records["people"][person].data.name,
                    state,
                    reasons.get(person) or "",
                )
            )
    headers = ("日期", "会议", "组织", "类型", "姓名", "出勤", "缺席原因")
    return Table("出勤", "出勤台账", headers, rows, sum(m.key in views.hidden for m in held))


def actions(archive: Archive, views: Views, span: Span) -> Table:
    """Every action; one of a restricted meeting keeps its status and whether it is overdue, nothing else."""
    rows: list[tuple[Cell, ...]] = []
    listed = [a for a in views.all_actions if span.holds(a.meeting.data.date) and span.has_org(a.meeting.data.org)]
    for a in listed:
        m = a.meeting
        where = (m.data.date, _name(archive, "orgs", m.data.org), "是" if a.overdue else "")
        status = a.action.status or "未开始"
        if m.key in views.hidden:
            rows.append(("（受限会议事项）", None, None, status, None, None, RESTRICTED, *where))
            continue
        owner = _name(archive, "people", a.action.owner)
        rows.append((a.action.task, owner, a.action.due, status, a.action.done, a.action.result, m.data.title, *where))
    headers = ("任务", "责任人", "期限", "状态", "完成日期", "落实情况", "来源会议", "会议日期", "组织", "逾期")
    hidden = {a.meeting.key for a in listed if a.meeting.key in views.hidden}
    return Table("会后落实", "会后落实台账", headers, rows, len(hidden))


def honours(archive: Archive, views: Views, span: Span) -> Table:
    rows = []
    for h in (h for h in views.sorted["honours"] if span.holds_partial(h.data.date)):
        d = h.data
        if not any(_belongs(archive, span, r.org, r.person or r.team) for r in d.recipients):
            continue
        who = "、".join(
            _name(archive, "orgs", r.org) if r.org else _name(archive, "people", r.person or r.team)
            for r in d.recipients
        )
        rows.append((h.id, str(d.date), d.title, d.level, d.awarded_by, d.category, who))
    return Table("荣誉", "荣誉台账", ("编号", "日期", "荣誉名称", "级别", "授予单位", "类别", "获奖对象"), rows)


def achievements(archive: Archive, views: Views, span: Span) -> Table:
    rows = []
    for a in (a for a in views.sorted["achievements"] if span.holds_partial(a.data.date)):
        d = a.data
        if not (span.has_org(d.org) or any(_belongs(archive, span, None, p) for p in d.people)):
            continue
        award = d.award
        base = (
            a.id,
            str(d.date),
            d.title,
            d.category,
            _name(archive, "orgs", d.org),
            _names(archive, d.people),
            award.name if award else None,
            award.level if award else None,
            award.grade if award else None,
        )
        rows += [(*base, m.name, m.value, m.unit, m.previous) for m in d.metrics] or [(*base, None, None, None, None)]
    return Table(
        "成果",
        "成果台账",
        (
            "编号",
            "日期",
            "成果名称",
            "类别",
            "组织",
            "完成人",
            "奖项",
            "奖项级别",
            "等级",
            "指标",
            "数值",
            "单位",
            "原值",
        ),
        rows,
    )


def assessments(archive: Archive, views: Views, span: Span) -> Table:
    """One row per scheme, period and subject (双百: org × month), a column per category, then 合计 and 满分."""
    categories = list(
        dict.fromkeys(
            c
            for by_period in views.scores.values()
            for ranked in by_period.values()
            for s in ranked
            for c in s.by_category
        )
    )
    rows: list[tuple[Cell, ...]] = []
    for scheme, by_period in views.scores.items():
        for period, ranked in by_period.items():
            if not span.holds_partial(parse_partial_date(period)):
                continue
            for rank, score in enumerate(ranked, start=1):
                subject = score.record.data.subject
                if not _belongs(archive, span, subject.org, subject.person):
                    continue
                by_category = [score.by_category.get(c) for c in categories]
                rows.append((scheme, period, score.subject, *by_category, score.total, score.maximum, rank))
    headers = ("方案", "期间", "对象", *categories, "合计", "满分", "名次")
    return Table("考核", "考核台账", headers, rows)


def _roster(archive: Archive, views: Views, span: Span, statuses: tuple[str, ...]) -> list[tuple[Cell, ...]]:
    """People of these statuses as at the span's last day (or today): who had joined, and where they were."""
    day = span.on(views.today)
    rows: list[tuple[Cell, ...]] = []
    for p in views.sorted["people"]:
        d = p.data
        current = [
            m.org for m in d.memberships if (m.from_ is None or m.from_ <= day) and (m.to is None or day <= m.to)
        ]
        if d.status not in statuses or (d.joined and d.joined.start > day) or not span.has_org(*current):
            continue
        rows.append(
            (
                p.id,
                d.name,
                d.status,
                str(d.joined) if d.joined else None,
                d.post,
                d.category,
                "、".join(_name(archive, "orgs", o) for o in current),
            )
        )
    return rows


ROSTER = ("编号", "姓名", "政治面貌", "入党时间", "岗位", "人才类别", "所在组织")


def people(archive: Archive, views: Views, span: Span) -> Table:
    """正式党员 and 预备党员 only: the roster an inspector counts members from."""
    return Table("党员花名册", "党员花名册", ROSTER, _roster(archive, views, span, ("正式党员", "预备党员")))


def applicants(archive: Archive, views: Views, span: Span) -> Table:
    """入党积极分子 and 发展对象, kept apart from the members' roster."""
    rows = _roster(archive, views, span, ("发展对象", "入党积极分子"))
    return _trimmed(Table("入党积极分子和发展对象", "入党积极分子和发展对象名册", ROSTER, rows))


LEDGERS: tuple[Callable[[Archive, Views, Span], Table], ...] = (
    compliance,
    meetings,
    attendance,
    actions,
    honours,
    achievements,
    assessments,
    people,
    applicants,
)


def tables(archive: Archive, views: Views, span: Span = EVERYTHING) -> list[Table]:
    """Every ledger, limited to the span (default: everything)."""
    return [make(archive, views, span) for make in LEDGERS]


PAGE_WIDTH = 200  # characters printed across a landscape A4 page at a readable size (about 70%)
RATES = frozenset({"出席率", "完成率"})  # columns holding a fraction, shown as a percentage


def _csv_value(value: Cell, rate: bool) -> Cell:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1%}" if rate else f"{value:.4f}".rstrip("0").rstrip(".")
    return csv_safe(value)


def to_csv(table: Table) -> bytes:
    """UTF-8 with a BOM, so Excel opens Chinese correctly; rates as 88.9%; formula-like text quoted as text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    rates = [h in RATES for h in table.headers]
    for row in table.rows:
        writer.writerow([_csv_value(v, rate) for v, rate in zip(row, rates, strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def heading(archive: Archive, table: Table, today: date, span: Span = EVERYTHING) -> tuple[str, ...]:
    """The title lines above a printed ledger: archive and subject; period covered and 统计截至; and a note when
    restricted meetings are counted without content.

    The period is the span's; an open start is the archive's `since`, else the ledger's first date; an open end today.
    Every date is written the same way (2024年12月1日).
    """
    dates = [v for row in table.rows for v in row if isinstance(v, date)]
    since = archive.info.since.start if archive.info.since else None
    start = span.first or since or (min(dates) if dates else None)
    end = day_text(span.last or today)
    period = f"{day_text(start)} 至 {end}" if start else f"截至 {end}"
    period = f"{span.label}（{period}）" if span.label else period
    subject = "　".join(part for part in (archive.info.name, span.org_name, table.label) if part)
    lines = (subject, f"期间：{period}　　统计截至：{day_text(today)}")
    return (*lines, table.note) if table.note else lines


def to_xlsx(table: Table, today: date, title: tuple[str, ...]) -> bytes:
    """One sheet: title lines, then a bold filtered header frozen in place; dates as dates, rates as percent cells,
    widths fitted; printed landscape on A4, title and header repeated on every page. A sheet up to PAGE_WIDTH
    characters wide fits one page width; a wider one (会议) spreads over up to three, its key columns (日期, 组织,
    类型, 标题) printed again on each, so the text stays readable. Byte-stable for a given day.

    XlsxWriter, in memory: about twice as fast as openpyxl's write-only mode on the big ledgers, and its zip
    entries carry a fixed time, so the bytes need no second pass.
    """
    import xlsxwriter

    raw = io.BytesIO()
    book = xlsxwriter.Workbook(raw, {"in_memory": True})
    book.set_properties({"created": midnight(today)})  # else the current time is stamped into the file
    sheet = book.add_worksheet(table.label)
    widths = column_widths(table)
    for i, width in enumerate(widths):
        sheet.set_column_pixels(i, i, round(width * 7))  # the width as written, with no padding added
    header_row = len(title)
    sheet.freeze_panes(header_row + 1, 0)
    sheet.autofilter(header_row, 0, header_row + len(table.rows), len(table.headers) - 1)
    sheet.repeat_rows(0, header_row)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    pages = min(3, -(-sum(widths) // PAGE_WIDTH))
    sheet.fit_to_pages(pages, 0)
    if pages > 1 and table.keys:
        keys = [table.headers.index(k) for k in table.keys]
        sheet.repeat_columns(min(keys), max(keys))
    sheet.write_string(0, 0, title[0], book.add_format({"bold": True, "font_size": 14}))
    for r, line in enumerate(title[1:], start=1):
        sheet.write_string(r, 0, line)
    bold = book.add_format({"bold": True})
    for c, header in enumerate(table.headers):
        sheet.write_string(header_row, c, header, bold)
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    percent = book.add_format({"num_format": "0.0%"})
    wrapped = book.add_format({"text_wrap": True, "valign": "top"})  # one line per item: 议程, 决议, 会后落实
    rates = {i for i, h in enumerate(table.headers) if h in RATES}
    text, number = sheet.write_string, sheet.write_number
    for r, row in enumerate(table.rows, start=header_row + 1):
        for c, v in enumerate(row):
            if isinstance(v, str):  # text, never a formula
                text(r, c, v, wrapped) if "\n" in v else text(r, c, v)
            elif isinstance(v, date):
                number(r, c, v.toordinal() - EXCEL_EPOCH, day)  # what write_datetime writes, many times faster
            elif isinstance(v, float) and c in rates:
                number(r, c, v, percent)
            elif v is not None:
                number(r, c, v)
    book.close()
    return raw.getvalue()


EXCEL_EPOCH = date(1899, 12, 30).toordinal()  # day 0 of Excel's serial dates, for every day after February 1900


def column_widths(table: Table) -> list[int]:
    """Each column as wide as its header or its widest line, at most 60 (each distinct value measured once)."""
    widths = [len(h) * 2 + 2 for h in table.headers]
    for i, column in enumerate(zip(*table.rows, strict=True)):
        widths[i] = max(widths[i], min(60, max(map(_width, {"" if v is None else str(v) for v in column}))))
    return widths


_WIDE = re.compile("[\u2e80-\U0010ffff]")  # characters shown twice as wide: CJK and beyond


def _width(text: str) -> int:
    """Display width of the longest line: a CJK character counts twice."""
    return max(len(line) + len(_WIDE.findall(line)) for line in text.splitlines() or [""]) + 2


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def stable_zip(data: bytes) -> bytes:
    """The same workbook always gives the same bytes: fixed entry times, sorted entries."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def files(archive: Archive, views: Views, made: list[Table]) -> dict[str, bytes | Deferred]:
    """The ledgers made by tables(), as ledgers/files/<name>.xlsx and .csv (会议.xlsx …), for the site.

    A workbook is only made again when what goes into it changed: its table (seen through its CSV), its title
    lines, the day it is dated, zhibu's code or the writer's version.
    """
    out: dict[str, bytes | Deferred] = {}
    writer = f"{code_version()}\0{version('xlsxwriter')}\0{views.today}"
    for table in made:
        text = to_csv(table)
        out[f"ledgers/files/{table.name}.csv"] = text
        title = heading(archive, table, views.today)
        digest = hashlib.sha256("\0".join((writer, *title)).encode() + b"\0" + text).hexdigest()
        out[f"ledgers/files/{table.name}.xlsx"] = Deferred(digest, partial(to_xlsx, table, views.today, title))
    return out
