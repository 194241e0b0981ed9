"""The full-fidelity workbook: every record and every field, out to Excel and back in.

`zhibu export --full` writes one workbook: a 说明 sheet, a sheet for archive.yaml, one
sheet per collection (a column per field, nested fields as 获奖.奖项), and one sheet per
list of sub-records (会议-缺席, 人员-组织关系 …, keyed by 编号, in order). Lists of plain
values sit in one cell, one item per line. Everything is laid out from the record
models, so a new field travels without changes here. `zhibu import archive` reads it
back; importing it into an empty archive gives back every record.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, get_origin

from pydantic import ValidationError

from generator.editing import conventions
from generator.editing.importer import Refs, same
from generator.editing.sheets import cell_text, formula_like
from generator.editing.writeplan import Planned, UnsafePath, settle, target
from generator.model import ARCHIVE, COLLECTIONS, Model
from generator.stages.resolve import Archive
from generator.stages.validate import is_list, submodel

MARKER = "zhibu 全量档案"
ARCHIVE_SHEET = "档案"


@dataclass(frozen=True)
class Column:
    header: str
    path: tuple[str, ...]  # YAML keys from the record (or list item) down to the value
    shape: str  # "scalar", "list" (one item per line) or "dict" (key: value per line)


@dataclass(frozen=True)
class Layout:
    """One sheet: its columns, and (for a collection) the sheets of its sub-record lists."""

    sheet: str
    columns: tuple[Column, ...]
    children: tuple[tuple[str, Layout], ...] = ()  # (YAML key of the list, its sheet)


def layout(model: type[Model], sheet: str, keyed: bool) -> Layout:
    columns = [Column("编号", (), "id")] if keyed else []
    children = []
    for name, info in model.model_fields.items():
        key, title = info.alias or name, str(info.title)
        inner = submodel(info.annotation)
        if inner is not None and is_list(info.annotation):
            children.append((key, layout(inner, f"{sheet}-{title}", True)))
        elif inner is not None:
            for sub in layout(inner, "", False).columns:
                columns.append(Column(f"{title}.{sub.header}", (key, *sub.path), sub.shape))
        else:
            shape = "list" if is_list(info.annotation) else "dict" if _is_dict(info.annotation) else "scalar"
            columns.append(Column(title, (key,), shape))
    return Layout(sheet, tuple(columns), tuple(children))


def _is_dict(annotation: Any) -> bool:
    return get_origin(annotation) is dict or any(get_origin(a) is dict for a in getattr(annotation, "__args__", ()))


LAYOUTS: dict[str, Layout] = {
    "archive": layout(ARCHIVE.model, ARCHIVE_SHEET, False),
    **{name: layout(c.model, c.label, True) for name, c in COLLECTIONS.items()},
}


# ---------------------------------------------------------------- out


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)  # collection label -> records written
    restricted_left_out: int = 0


def write_book(archive: Archive, include_restricted: bool, today: date) -> tuple[bytes, Summary]:
    """The workbook's bytes and what it holds. archive must be the full one (restricted included)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    summary = Summary()
    book = Workbook()
    notes = book.active
    notes.title = "说明"
    sheets: dict[str, Any] = {}

    def sheet_of(lay: Layout) -> Any:
        if lay.sheet not in sheets:
            ws = book.create_sheet(lay.sheet)
            ws.append([c.header for c in lay.columns])
            for cell in ws[1]:
                cell.font = Font(bold=True)
            ws.freeze_panes = "A2"
            sheets[lay.sheet] = ws
        return sheets[lay.sheet]

    _append(sheet_of(LAYOUTS["archive"]), LAYOUTS["archive"], archive.info.model_dump(mode="json", by_alias=True), "")
    for name, collection in COLLECTIONS.items():
        lay = LAYOUTS[name]
        sheet_of(lay)
        for _, child in lay.children:
            sheet_of(child)
        count = 0
        for record_id, record in sorted(archive.records[name].items()):
            if getattr(record.data, "visibility", None) == "受限" and not include_restricted:
                summary.restricted_left_out += 1
                continue
            data = record.data.model_dump(mode="json", by_alias=True, exclude_none=True)
            _append(sheets[lay.sheet], lay, data, record_id)
            for child_key, child in lay.children:
                for item in data.get(child_key) or []:
                    _append(sheets[child.sheet], child, item, record_id)
            count += 1
        summary.counts[collection.label] = count
    lines = [
        MARKER,
        f"导出日期：{today.isoformat()}",
        "每类记录一个工作表，每个字段一列；列表（缺席、议程、组织关系等）在各自的工作表中，按“编号”对应。",
        "用 zhibu import archive 本文件.xlsx 导入；附件文件（files/ 目录）不在工作簿中，请一并复制。",
        *(f"{label}：{n} 条" for label, n in summary.counts.items()),
    ]
    if summary.restricted_left_out:
        lines.append(f"未包含 {summary.restricted_left_out} 条受限记录（导出时加 --include-restricted 才包含）")
    elif include_restricted:
        lines.append("包含受限记录：请按受限材料保管本文件")
    for line in lines:
        notes.append([line])
    notes.column_dimensions["A"].width = 90
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), summary


def _append(ws: Any, lay: Layout, data: dict[str, Any], record_id: str) -> None:
    row = []
    for column in lay.columns:
        value: Any = record_id if column.shape == "id" else _dig(data, column.path)
        if column.shape == "list" and value:
            value = "\n".join(str(v) for v in value)
        elif column.shape == "dict" and value:
            value = "\n".join(f"{k}: {v}" for k, v in value.items())
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        row.append(value if value not in ([], {}, "") else None)
    ws.append(row)
    for cell in ws[ws.max_row]:
        if formula_like(cell.value):
            cell.data_type = "s"  # text, never a formula


def _dig(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


# ---------------------------------------------------------------- in


def is_full_book(sheets: list[Any]) -> bool:
    return bool(sheets) and sheets[0].name == "说明" and cell_text((sheets[0].rows or [[None]])[0][0]) == MARKER


@dataclass
class BookRecord:
    collection: str
    id: str
    data: dict[str, Any]
    source: str  # "会议 第 5 行"


def read_records(sheets: list[Any]) -> tuple[list[BookRecord], list[str]]:
    """Every record in a full workbook, and every problem (sheet and row named)."""
    by_name = {s.name: s for s in sheets}
    found: list[BookRecord] = []
    problems: list[str] = []
    for name, lay in LAYOUTS.items():
        ws = by_name.get(lay.sheet)
        if ws is None:
            problems.append(f"缺少工作表“{lay.sheet}”")
            continue
        records: dict[str, BookRecord] = {}
        for number, record_id, data in _rows(ws, lay, problems):
            if name == "archive":
                found.append(BookRecord("archive", "archive", data, f"{lay.sheet} 第 {number} 行"))
            elif record_id in records:
                problems.append(f"工作表“{lay.sheet}”第 {number} 行：编号“{record_id}”重复")
            else:
                records[record_id] = BookRecord(name, record_id, data, f"{lay.sheet} 第 {number} 行")
        for key, child in lay.children:
            if child.sheet not in by_name:
                problems.append(f"缺少工作表“{child.sheet}”")
                continue
            for number, record_id, item in _rows(by_name[child.sheet], child, problems):
                owner = records.get(record_id)
                if owner is None:
                    problems.append(f"工作表“{child.sheet}”第 {number} 行：编号“{record_id}”在“{lay.sheet}”中没有")
                else:
                    owner.data.setdefault(key, []).append(item)
        found.extend(records.values())
    return found, problems


def _rows(ws: Any, lay: Layout, problems: list[str]) -> list[tuple[int, str, dict[str, Any]]]:
    if not ws.rows:
        return []
    headers = [cell_text(v) for v in ws.rows[0]]
    columns = {c.header: c for c in lay.columns}
    unknown = [h for h in headers if h and h not in columns]
    if unknown:
        problems.append(f"工作表“{lay.sheet}”中不认识的列：{'、'.join(unknown)}")
    out = []
    for number, cells in enumerate(ws.rows[1:], start=2):
        record_id, data = "", {}
        for header, value in zip(headers, cells, strict=False):
            column = columns.get(header)
            text = _text(value)
            if column is None or not text:
                continue
            if column.shape == "id":
                record_id = text
                continue
            parsed: Any = text
            if column.shape == "list":
                parsed = [line for line in text.split("\n") if line.strip()]
            elif column.shape == "dict":
                parsed = dict(line.split(": ", 1) for line in text.split("\n") if ": " in line)
            _put(data, column.path, parsed)
        if data or record_id:
            out.append((number, record_id, data))
    return out


def _text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()[:10]
    return cell_text(value) if not isinstance(value, str) else value.strip("\n").strip(" ")


def _put(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


@dataclass
class BookPlan:
    planned: list[Planned] = field(default_factory=list)
    updates: list[Planned] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def plan(records: list[BookRecord], content: Path, archive: Archive | None, update: bool = False) -> BookPlan:
    """New records from the workbook; records already in the archive are compared and, with
    update, replaced by the workbook's version (which carries every field)."""
    result = BookPlan()
    taken: set[str] = set()
    refs = Refs(archive) if archive else None
    sources: dict[Path, str] = {}
    for rec in records:
        existing = _existing(content, archive, rec)
        try:
            if existing is not None:
                if _same(refs, rec, existing):
                    result.existing.append(f"{rec.source}：已有记录“{rec.id}”，内容相同")
                    continue
                if not update:
                    result.changed.append(f"{rec.source}：已有记录“{rec.id}”与表中不同（加 --update 更新）")
                    continue
                rel = Path("archive.yaml" if rec.collection == "archive" else existing.file)
                path = target(content, rel.parent.as_posix(), rel.stem)
                old = path.read_text(encoding="utf-8-sig")
                planned = Planned(rec.collection, rec.id, path, rec.data, rec.source, old)
                sources[path] = rec.source
                result.updates.append(planned)
                continue
            if rec.collection == "archive":
                path = target(content, "", "archive")
            else:
                path = target(content, _folder(archive, rec, taken), rec.id)
        except UnsafePath as exc:
            result.problems.append(f"{rec.source}：{exc}")
            continue
        taken.add(rec.id)
        sources[path] = rec.source
        result.planned.append(Planned(rec.collection, rec.id, path, rec.data, rec.source))
    kept, refused = settle(content, [*result.planned, *result.updates])
    for item, found in refused:
        reasons = "；".join(f"{d.field}: {d.message}" if d.field else d.message for d in found)
        result.problems.append(f"{sources[item.path]}（编号“{item.id}”）：{reasons}")
    result.planned = [p for p in kept if p.old is None]
    result.updates = [p for p in kept if p.old is not None]
    return result


def _same(refs: Refs | None, rec: BookRecord, existing: Any) -> bool:
    if rec.collection == "archive":
        try:
            return bool(ARCHIVE.model.model_validate(rec.data) == existing.info)
        except ValidationError:
            return False
    return refs is not None and same(refs, rec.collection, existing.raw.data, rec.data)


def _existing(content: Path, archive: Archive | None, rec: BookRecord) -> Any:
    if rec.collection == "archive":
        if not ((content / "archive.yaml").exists() or (content / "archive.yml").exists()):
            return None
        if archive is None:
            raise UnsafePath("档案的 archive.yaml 有错误，请先修正（zhibu check）")
        return archive
    if archive is not None and rec.id in archive.records[rec.collection]:
        return archive.records[rec.collection][rec.id]
    folder = content / rec.collection
    if folder.is_dir() and any(folder.rglob(f"{rec.id}.y*ml")):
        raise UnsafePath(f"编号“{rec.id}”已被一个有错误的文件使用，请先修正（zhibu check）")
    return None


def _folder(archive: Archive | None, rec: BookRecord, taken: set[str]) -> str:
    data = rec.data
    day = str(data.get("date") or data.get("start") or data.get("period") or "")
    parsed = None
    if len(day) >= 4 and day[:4].isdigit():
        parsed = date(int(day[:4]), int(day[5:7]) if len(day) >= 7 and day[5:7].isdigit() else 1, 1)
    kind = data.get(conventions.KIND_FIELDS.get(rec.collection, ""))
    org = data.get("org") or data.get("parent")
    if archive is None or (org and org not in archive.records["orgs"]):
        org = None
    return conventions.propose(archive, rec.collection, org=org, kind=kind, day=parsed, taken=taken).folder
