"""The Word 会议记录本: one .docx per org and year, as inspectors file them (`zhibu export --format docx`).

A cover (archive, org, year, 记录人/保管人 lines), a 目录 listing every meeting with its date and a link to its
page, then each meeting on its own page in the standard layout: a table of 会议类型/时间/地点/主持人/记录人/应到/
实到/缺席及原因/列席, then 议程, 会议总结, 决议 with votes, 会后落实 with owner/due/status, and signature lines.

Chinese text needs the East-Asian font slot (w:eastAsia) set on every style, or Word and WPS fall back to a
Latin font's metrics; theme fonts are cleared so the named fonts win. A restricted meeting (unless included)
keeps its place, its number and a page of its own that gives only its month and type, as the web compilation
does: the book, the web compilation and the ledgers count the same meetings.

A book covers a year, or the part of it an export is limited to (`--period 2025-Q1`): its file name and cover
name that part, so a quarter's book is never mistaken for, or overwritten by, the year's.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from generator.editing import itemlines
from generator.ledgers.span import Span, day_text
from generator.stages.derive import Views
from generator.stages.resolve import Archive, Record

BODY_FONT, HEADING_FONT, LATIN_FONT = "仿宋", "黑体", "Times New Roman"
RESTRICTED = "受限记录"
SIGNATURES = "主持人签字：＿＿＿＿＿＿＿＿　　　　记录人签字：＿＿＿＿＿＿＿＿"
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')  # not allowed (or awkward) in a file name on Windows


@dataclass(frozen=True)
class Book:
    org: Record
    year: int
    meetings: list[Record]  # oldest first, restricted ones too
    hidden: frozenset[tuple[str, str]]  # keys of the restricted meetings shown only as placeholders
    part: str = ""  # the part of the year the book covers (2025年第1季度, 2025年3月8日); empty for the whole year

    @property
    def label(self) -> str:
        """What the book covers, for its cover and file name: 2025年度, 2025年第1季度."""
        return self.part or f"{self.year}年度"

    @property
    def file_name(self) -> str:
        return f"会议记录本-{_UNSAFE.sub('_', self.org.data.name)}-{self.part or self.year}.docx"

    @property
    def restricted(self) -> int:
        return sum(m.key in self.hidden for m in self.meetings)


def books(archive: Archive, views: Views, span: Span) -> list[Book]:
    """A book per org and year that held meetings inside the span, ordered by org name and year."""
    found: dict[tuple[str, int], list[Record]] = {}
    for m in reversed(views.ledger_meetings):  # oldest first
        if span.holds(m.data.date) and span.has_org(m.data.org):
            found.setdefault((m.data.org, m.data.date.year), []).append(m)
    made = [
        Book(archive.records["orgs"][org], year, meetings, views.hidden, part_of_year(span, year))
        for (org, year), meetings in found.items()
    ]
    return sorted(made, key=lambda b: (b.org.data.name, b.year))


def part_of_year(span: Span, year: int) -> str:
    """The part of the year a span covers, named: empty for all of it, else the period's name or the days."""
    first = max(span.first or date.min, date(year, 1, 1))
    last = min(span.last or date.max, date(year, 12, 31))
    if (first, last) == (date(year, 1, 1), date(year, 12, 31)):
        return ""
    return span.label if span.label and (first, last) == (span.first, span.last) else Span(first, last).name


def to_docx(archive: Archive, views: Views, book: Book, today: date) -> bytes:
    """The book as .docx bytes; the same records and day give the same bytes."""
    from docx import Document

    from generator.ledgers.export import midnight, stable_zip

    doc = Document()
    _page_setup(doc)
    _styles(doc)
    _cover(doc, archive, book)
    _contents(doc, book)
    for number, meeting in enumerate(book.meetings, start=1):
        if meeting.key in book.hidden:
            _restricted(doc, meeting, number)
        else:
            _meeting(doc, archive, views, meeting, number)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = book.file_name[:-5], archive.info.name, archive.info.name
    props.created = props.modified = midnight(today)
    props.revision = 1
    raw = io.BytesIO()
    doc.save(raw)
    return stable_zip(raw.getvalue())


# ---------------------------------------------------------------- layout


def _page_setup(doc: Any) -> None:
    """A4 portrait, margins of the usual 公文 page; page numbers in the footer."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    _field(footer, "PAGE", "1")
    footer.add_run(" 页")


def _styles(doc: Any) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    for name, east_asian, size in (
        ("Normal", BODY_FONT, 12),
        ("Title", HEADING_FONT, 26),
        ("Heading 1", HEADING_FONT, 16),
        ("Heading 2", HEADING_FONT, 14),
    ):
        style = doc.styles[name]
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        _fonts(style.element.get_or_add_rPr(), east_asian)
        if name != "Normal":
            style.font.bold = True
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    _fonts(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")), BODY_FONT)  # tables, footers and the rest
    title = doc.styles["Title"].element.pPr
    for border in title.findall("{*}pBdr"):  # the template's blue rule under a title
        title.remove(border)


def _fonts(rpr: Any, east_asian: str) -> None:
    """Named fonts in every slot, theme fonts cleared: Word and WPS render Chinese in `east_asian`."""
    from docx.oxml.ns import qn

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.lower().endswith("theme"):
            del fonts.attrib[attr]
    for slot, font in (("ascii", LATIN_FONT), ("hAnsi", LATIN_FONT), ("eastAsia", east_asian), ("cs", LATIN_FONT)):
        fonts.set(qn(f"w:{slot}"), font)


def _field(paragraph: Any, instruction: str, shown: str) -> None:
    """A simple field (PAGE) with a shown value; Word and WPS refresh it when they lay out the page."""
    from docx.oxml.ns import qn

    field = paragraph._p.makeelement(qn("w:fldSimple"), {qn("w:instr"): instruction})
    run = field.makeelement(qn("w:r"), {})
    text = run.makeelement(qn("w:t"), {})
    text.text = shown
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _paragraph(doc: Any, text: str = "", style: str | None = None) -> Any:
    """A paragraph in a style given by its id (Heading1): python-docx's lookup by name is slow on big books."""
    paragraph = doc.add_paragraph(text)
    if style:
        paragraph._p.style = style
    return paragraph


def _centred(doc: Any, text: str, style: str | None = None, size: int | None = None, space: int = 0) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = _paragraph(doc, style=style)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(space)
    run = paragraph.add_run(text)
    if size:
        run.font.size = Pt(size)
    return paragraph


def _cover(doc: Any, archive: Archive, book: Book) -> None:
    from docx.shared import Pt

    _centred(doc, archive.info.name, size=16, space=48)
    _centred(doc, book.org.data.name, size=22, space=96)
    _centred(doc, "会议记录本", "Title", space=24)
    _centred(doc, book.label, size=18, space=24)
    first, last = book.meetings[0].data.date, book.meetings[-1].data.date
    lines = [
        f"起止日期：{day_text(first)}" if first == last else f"起止日期：{day_text(first)} 至 {day_text(last)}",
        f"会议次数：{_count(book)}",
        "记 录 人：＿＿＿＿＿＿＿＿＿＿＿＿",
        "保 管 人：＿＿＿＿＿＿＿＿＿＿＿＿",
    ]
    for n, line in enumerate(lines):
        paragraph = doc.add_paragraph(line)
        paragraph.paragraph_format.left_indent = Pt(110)
        paragraph.paragraph_format.space_before = Pt(120 if n == 0 else 12)


def _contents(doc: Any, book: Book) -> None:
    """目录: 序号, 日期, 会议类型 and the title linked to its page; a restricted meeting by its month and type."""
    heading = _centred(doc, "目　　录", "Heading1")
    heading.paragraph_format.page_break_before = True
    doc.add_paragraph(f"{book.org.data.name}　{book.label}共召开会议 {_count(book)}。")
    rows = [
        (str(n), _month(m.data.date), m.data.type, RESTRICTED)
        if m.key in book.hidden
        else (str(n), day_text(m.data.date), m.data.type, m.data.title)
        for n, m in enumerate(book.meetings, start=1)
    ]
    table = _table(doc, ("序号", "日期", "会议类型", "会议名称"), rows, (1.3, 3.6, 2.6, 8.1))
    for n, row in enumerate(table.rows[1:], start=1):
        cell = row.cells[3].paragraphs[0]
        for run in list(cell.runs):
            cell._p.remove(run._r)
        _link(cell, f"meeting{n}", rows[n - 1][3])


def _count(book: Book) -> str:
    """会议次数 as the web compilation says it: 34 次（其中受限会议 1 次，不收入内容）."""
    restricted = f"（其中受限会议 {book.restricted} 次，不收入内容）" if book.restricted else ""
    return f"{len(book.meetings)} 次{restricted}"


def _restricted(doc: Any, meeting: Record, number: int) -> None:
    """A restricted meeting's page: its place, month and type, nothing of its content."""
    heading = _centred(doc, f"{_month(meeting.data.date)}{meeting.data.type}（受限）", "Heading1")
    heading.paragraph_format.page_break_before = True
    _bookmark(heading, f"meeting{number}", number)
    doc.add_paragraph("受限记录，内容不收入本记录本。")


def _link(paragraph: Any, anchor: str, text: str) -> None:
    """An internal hyperlink to a bookmark: works in Word and WPS without updating any field."""
    from docx.oxml.ns import qn

    link = paragraph._p.makeelement(qn("w:hyperlink"), {qn("w:anchor"): anchor})
    run = paragraph.add_run(text)._r
    link.append(run)
    paragraph._p.append(link)


def _bookmark(paragraph: Any, name: str, number: int) -> None:
    from docx.oxml.ns import qn

    start = paragraph._p.makeelement(qn("w:bookmarkStart"), {qn("w:id"): str(number), qn("w:name"): name})
    end = paragraph._p.makeelement(qn("w:bookmarkEnd"), {qn("w:id"): str(number)})
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def _table(doc: Any, header: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[float, ...]) -> Any:
    table = _grid(doc, 1, len(header))
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    _repeat_header(table.rows[0])
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    _widths(table, widths)
    return table


def _repeat_header(row: Any) -> None:
    """The header row is printed again at the top of every page the table runs onto."""
    from docx.oxml.ns import qn

    props = row._tr.get_or_add_trPr()
    props.append(props.makeelement(qn("w:tblHeader"), {}))


def _grid(doc: Any, rows: int, cols: int) -> Any:
    table = doc.add_table(rows=rows, cols=cols)
    table._tbl.tblPr.style = "TableGrid"  # the template's "Table Grid": ruled cells
    return table


def _span_rest(cells: list[Any]) -> None:
    """A label and a long value: the value's cell spans the rest of the row."""
    cells[1]._tc.grid_span = len(cells) - 1
    for cell in cells[2:]:
        cell._tc.getparent().remove(cell._tc)


def _widths(table: Any, widths: tuple[float, ...]) -> None:
    """Column widths in cm, in the grid (WPS reads it) and on every cell (Word does); spanning cells add up."""
    from docx.shared import Cm

    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.w = Cm(width)
    for row in table._tbl.tr_lst:
        start = 0
        for cell in row.tc_lst:
            cell.width = Cm(sum(widths[start : start + cell.grid_span]))
            start += cell.grid_span


def _meeting(doc: Any, archive: Archive, views: Views, meeting: Record, number: int) -> None:
    d, att = meeting.data, views.attendance[meeting.id]
    name = partial(_person, archive)
    heading = _centred(doc, d.title, "Heading1")
    heading.paragraph_format.page_break_before = True
    _bookmark(heading, f"meeting{number}", number)
    when = f"{day_text(d.date)} {d.time}" if d.time else day_text(d.date)
    absent = "、".join(f"{name(p)}（{reason}）" if reason else name(p) for p, reason in att.absent)
    pairs = [("会议类型", d.type, "会议时间", when), ("会议地点", d.location or "", "主持人", name(d.host))]
    if d.lecturer:
        pairs.append(("授课人", name(d.lecturer), "题目", d.topic or ""))
    elif d.topic:
        pairs.append(("主题" if d.type == "主题党日" else "题目", d.topic, "", ""))
    guests = [*(name(g) for g in d.guests), *(name(p) for p in att.extra)]  # present but not expected: 列席
    pairs += [
        ("记录人", name(d.recorder), "应到 / 实到", f"{len(att.expected)} 人 / {len(att.present)} 人"),
        ("实到人员", "、".join(name(p) for p in att.present) or "无", "", ""),
        ("缺席及原因", absent or "无", "", ""),
        ("列席", "、".join(guests) or "无", "", ""),
    ]
    table = _grid(doc, 0, 4)
    for label, value, label2, value2 in pairs:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
        if label2:
            cells[2].text, cells[3].text = label2, value2
        else:
            _span_rest(cells)
    _widths(table, (2.6, 5.6, 2.6, 4.8))
    _section(doc, "议程", [])
    for item_line, item in zip(_lines(itemlines.agenda_text(d.agenda)), d.agenda, strict=True):
        doc.add_paragraph(item_line)
        if item.notes:
            _text(doc, item.notes, indent=True)
    if not d.agenda:
        doc.add_paragraph("无")
    _section(doc, "会议总结", [])
    if d.preparation:
        _text(doc, f"会前准备：{d.preparation}")
    _text(doc, d.summary or "无")
    _section(doc, "决议", _lines(itemlines.decisions_text(d.decisions)) or ["无"])
    _section(doc, "会后落实", [] if d.actions else ["无"])
    if d.actions:
        rows = [
            (str(n), a.task, name(a.owner), day_text(a.due) if a.due else "", a.status or "未开始")
            for n, a in enumerate(d.actions, start=1)
        ]
        _table(doc, ("序号", "任务", "责任人", "期限", "状态"), rows, (1.3, 7.3, 2.4, 3.0, 1.6))
    signatures = doc.add_paragraph(SIGNATURES)
    signatures.paragraph_format.space_before = signatures.paragraph_format.space_after = _points(36)


def _section(doc: Any, title: str, lines: list[str]) -> None:
    _paragraph(doc, title, "Heading2")
    for line in lines:
        doc.add_paragraph(line)


def _text(doc: Any, text: str, indent: bool = False) -> None:
    """Record text (Markdown) as plain paragraphs, one per line."""
    for line in _lines(text):
        paragraph = doc.add_paragraph(line)
        if indent:
            paragraph.paragraph_format.left_indent = _points(24)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _points(value: int) -> Any:
    from docx.shared import Pt

    return Pt(value)


def _person(archive: Archive, ref: str | None) -> str:
    found = archive.get("people", ref)
    return found.data.name if found else (ref or "")


def _month(day: date) -> str:
    return f"{day.year}年{day.month}月"
