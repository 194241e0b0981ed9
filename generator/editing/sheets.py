"""Spreadsheets as people keep them: read .xlsx, .xls and CSV, then find the table in a sheet.

A 台账 usually has a title row or two above the header ("精炼厂党总支2024年三会一课台账",
merged across), merged cells for a value that holds for several rows, and footer rows
(合计, 填表人). `read_book` gives every sheet as plain rows with merged cells filled
down; `find_table` finds the header row by the column names it knows.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any

HOW_TO_SAVE = "请在 Excel 或 WPS 中打开它，另存为“Excel 工作簿（*.xlsx）”或“CSV UTF-8（逗号分隔）”后再导入"
FOOTER = re.compile(
    r"^\s*(合\s*计|总\s*计|小\s*计|填表人|制表人|填报人|审核人|审核|负责人|联系人|填表日期|制表日期|备注[:：]|说明[:：])"
)
TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
HEADER_SCAN = 15  # the header is looked for in the first rows of a sheet
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet may evaluate text starting so


def formula_like(value: Any) -> bool:
    """Record text a spreadsheet would run as a formula (CSV/formula injection)."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_safe(value: Any) -> Any:
    """Formula-like text gets a leading apostrophe, so Excel and WPS show it as text (OWASP).

    `read_book` takes the apostrophe off again when it reads a CSV.
    """
    return "'" + value if formula_like(value) else value


def _csv_unsafe(value: str) -> str:
    return value[1:] if value.startswith("'") and formula_like(value[1:]) else value


class SheetError(Exception):
    """A file or sheet that cannot be read, with a Chinese message saying what to do."""


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[Any]]  # cell values; merged cells carry the value of their top cell


@dataclass
class Table:
    sheet: str
    header_row: int  # 1-based row number in the sheet
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (1-based row number, cells)
    year: int | None = None  # from a title row such as “2024年三会一课台账”
    notes: list[str] = field(default_factory=list)


def read_book(path: Path) -> list[Sheet]:
    suffix = path.suffix.lower()
    readers: dict[str, Callable[[Path], list[Sheet]]] = {
        ".xlsx": _read_xlsx,
        ".xlsm": _read_xlsx,
        ".xls": _read_xls,
        ".csv": _read_csv,
        ".txt": _read_csv,
    }
    reader = readers.get(suffix)
    if reader is None:
        raise SheetError(f"不支持“{suffix or '无扩展名'}”文件。{HOW_TO_SAVE}")
    try:
        return reader(path)
    except SheetError:
        raise
    except Exception:  # the readers raise many kinds for a damaged or mislabelled file
        raise SheetError(f"无法读取 {path.name}：文件已损坏，或内容与扩展名“{suffix}”不符。{HOW_TO_SAVE}") from None


def _read_xlsx(path: Path) -> list[Sheet]:
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(path):
        raise SheetError(f"{path.name} 不是 .xlsx 工作簿（可能是改了扩展名的旧版 .xls 或文本文件）。{HOW_TO_SAVE}")
    book = load_workbook(path, data_only=True)  # not read-only: merged ranges are needed
    sheets = []
    for ws in book.worksheets:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        for merged in ws.merged_cells.ranges:
            _fill(rows, merged.min_row - 1, merged.max_row - 1, merged.min_col - 1)
        sheets.append(Sheet(ws.title, rows))
    return sheets


def _read_xls(path: Path) -> list[Sheet]:
    import xlrd

    book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    sheets = []
    for ws in book.sheets():
        rows = []
        for r in range(ws.nrows):
            row = []
            for c in range(ws.ncols):
                cell = ws.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    value: Any = xlrd.xldate_as_datetime(cell.value, book.datemode)
                    value = value.time() if cell.value < 1 else value
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    value = None
                else:
                    value = cell.value
                row.append(value)
            rows.append(row)
        for r0, r1, c0, _ in ws.merged_cells:
            _fill(rows, r0, r1 - 1, c0)
        sheets.append(Sheet(ws.name, rows))
    return sheets


def _fill(rows: list[list[Any]], first: int, last: int, column: int) -> None:
    """Give every row of a merged range the value of its top cell (in the range's first column)."""
    if first >= len(rows) or column >= len(rows[first]):
        return
    value = rows[first][column]
    for r in range(first + 1, min(last, len(rows) - 1) + 1):
        if column < len(rows[r]):
            rows[r][column] = value


def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's “Unicode 文本”), or GBK/GB18030 (WPS)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError(f"无法识别 {name} 的文字编码。{HOW_TO_SAVE}")


def _read_csv(path: Path) -> list[Sheet]:
    data = path.read_bytes()
    if b"\0" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SheetError(f"{path.name} 不是文本文件。{HOW_TO_SAVE}")
    text = decode(data, path.name)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    rows: list[list[Any]] = [
        [_csv_unsafe(c) if c.strip() else None for c in row]
        for row in csv.reader(io.StringIO(text), delimiter=delimiter)
    ]
    return [Sheet(path.stem, rows)]


# ---------------------------------------------------------------- finding the table


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | time):
        return value.isoformat()
    return str(value).strip()


def _score(row: list[Any], known: Callable[[str], bool]) -> int:
    return sum(1 for v in row if (text := cell_text(v)) and known(text))


def header_score(sheet: Sheet, known: Callable[[str], bool]) -> tuple[int, int]:
    """(number of known column names, row index) of the best header candidate."""
    best = (0, -1)
    for i, row in enumerate(sheet.rows[:HEADER_SCAN]):
        score = _score(row, known)
        if score > best[0]:
            best = (score, i)
    return best


def pick_sheet(sheets: list[Sheet], known: Callable[[str], bool], wanted: str | None) -> Sheet:
    """The sheet named (or numbered) by --sheet, else the one sheet with a recognisable header."""
    listing = "；".join(
        f"{i}. {s.name}（{sum(1 for r in s.rows if any(cell_text(v) for v in r))} 行）" for i, s in enumerate(sheets, 1)
    )
    if wanted:
        for i, sheet in enumerate(sheets, 1):
            if wanted in (sheet.name, str(i)):
                return sheet
        raise SheetError(f"没有名为“{wanted}”的工作表。工作表有：{listing}")
    scored = [(header_score(s, known)[0], s) for s in sheets]
    candidates = [s for score, s in scored if score >= 2]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise SheetError(
            f"没有找到可识别的表头（如“日期”“组织”“姓名”）。工作表有：{listing}。请检查表头，或用 --map 指定列"
        )
    names = "、".join(f"“{s.name}”" for s in candidates)
    raise SheetError(f"有多个工作表像是台账：{names}。请用 --sheet 指定其中一个（名称或序号）。工作表有：{listing}")


def find_table(sheet: Sheet, known: Callable[[str], bool]) -> Table:
    score, index = header_score(sheet, known)
    if score < 2:
        raise SheetError(f"工作表“{sheet.name}”中没有找到可识别的表头（前 {HEADER_SCAN} 行）")
    year = None
    titles = [cell_text(v) for row in sheet.rows[:index] for v in row if cell_text(v)]
    for text in titles:
        if found := TITLE_YEAR.search(text):
            year = int(found.group(1))
            break
    headers = [cell_text(v) for v in sheet.rows[index]]
    table = Table(sheet.name, index + 1, headers, [], year)
    if titles:
        table.notes.append(f"标题“{titles[0]}”已跳过" + (f"，没有年份的日期按 {year} 年" if year else ""))
    empty = 0
    for number, row in enumerate(sheet.rows[index + 1 :], start=index + 2):
        texts = [cell_text(v) for v in row]
        if not any(texts):
            empty += 1
            continue
        first = next(t for t in texts if t)
        if FOOTER.match(first):
            table.notes.append(f"第 {number} 行是表尾（{first[:20]}），已跳过")
            continue
        table.rows.append((number, list(row) + [None] * (len(headers) - len(row))))
    if empty:
        table.notes.append(f"跳过 {empty} 个空行")
    return table
