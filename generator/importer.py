"""`zhibu import`: old Excel ledgers to one YAML record per row.

The sheet's Chinese headers are the ones `zhibu export` writes, so a ledger can
go out to Excel and come back. Every row is checked like a record; by default a
single bad row means nothing is written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .load import RawRecord
from .model import COLLECTIONS
from .resolve import Archive
from .scaffold import free_id
from .validate import translate
from .writeplan import Planned, settle, target

SPLIT = re.compile(r"[、，,；;\n]+")
ABSENT = re.compile(r"^(?P<person>[^（(]+)(?:[（(](?P<reason>[^）)]*)[）)])?$")


@dataclass(frozen=True)
class Problem:
    row: int  # spreadsheet row number (the header is row 1)
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行：{self.message}"


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The first sheet (or a CSV file) as dicts keyed by header."""
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
        return [dict(row) for row in reader]
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True, data_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        return []
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    return [dict(zip(headers, row, strict=False)) for row in rows[1:]]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _list(value: Any) -> list[str]:
    text = _text(value)
    return [part.strip() for part in SPLIT.split(text) if part.strip()] if text else []


class _Refs:
    """Names from a sheet to ids, or an error."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def org(self, value: str) -> str:
        found = self.archive.find_org(value)
        if found:
            return found.id
        raise ValueError(f"找不到组织“{value}”")

    def person(self, value: str) -> str:
        found = self.archive.get("people", value)
        if found:
            return found.id
        ids = self.archive.people_by_name.get(value, [])
        raise ValueError(f"有 {len(ids)} 人同名“{value}”，请写编号" if ids else f"找不到人员“{value}”")

    def recipient(self, value: str) -> dict[str, str]:
        for key, lookup in (("org", self.org), ("person", self.person)):
            try:
                return {key: lookup(value)}
            except ValueError:
                continue
        return {"team": value}


def _meeting(row: dict[str, Any], refs: _Refs) -> dict[str, Any]:
    absent = []
    for part in _list(row.get("缺席人员")):
        match = ABSENT.match(part)
        person = refs.person(match.group("person").strip()) if match else refs.person(part)
        absent.append({"person": person, "reason": match.group("reason") if match else None})
    optional = {k: _text(row.get(h)) for k, h in (("time", "时间"), ("location", "地点"))}
    people = {k: refs.person(v) for k, h in (("host", "主持人"), ("recorder", "记录人")) if (v := _text(row.get(h)))}
    return {
        "type": _text(row.get("类型")),
        "title": _text(row.get("标题")),
        "org": refs.org(_text(row.get("组织")) or ""),
        "date": _text(row.get("日期")),
        **optional,
        **people,
        "attendees": [refs.person(p) for p in _list(row.get("实到人员"))],
        "absent": absent,
    }


def _person(row: dict[str, Any], refs: _Refs) -> dict[str, Any]:
    return {
        "name": _text(row.get("姓名")),
        "status": _text(row.get("政治面貌")),
        "joined": _text(row.get("入党时间")),
        "post": _text(row.get("岗位")),
        "category": _text(row.get("人才类别")),
        "memberships": [{"org": refs.org(o)} for o in _list(row.get("所在组织"))],
    }


def _honour(row: dict[str, Any], refs: _Refs) -> dict[str, Any]:
    return {
        "title": _text(row.get("荣誉名称")),
        "level": _text(row.get("级别")),
        "date": _text(row.get("日期")),
        "awarded_by": _text(row.get("授予单位")),
        "category": _text(row.get("类别")),
        "recipients": [refs.recipient(r) for r in _list(row.get("获奖对象"))],
    }


CONVERTERS: dict[str, tuple[str, Callable[[dict[str, Any], _Refs], dict[str, Any]], str]] = {
    # kind -> (collection, row converter, id base when the sheet has no 编号)
    "meetings": ("meetings", _meeting, "meeting"),
    "people": ("people", _person, "person"),
    "honours": ("honours", _honour, "honour"),
}


def plan(kind: str, rows: list[dict[str, Any]], content: Path, archive: Archive) -> tuple[list[Planned], list[Problem]]:
    """The records the rows would become, and every row that cannot be imported.

    Each id must pass the id rule and each path must stay inside the content folder;
    a row whose record would not pass `zhibu check` is refused with the check's reason.
    """
    collection, convert, base = CONVERTERS[kind]
    model = COLLECTIONS[collection].model
    refs = _Refs(archive)
    planned: list[Planned] = []
    problems: list[Problem] = []
    taken = {p.stem for p in (content / collection).rglob("*.y*ml")} if (content / collection).is_dir() else set()
    taken |= set(archive.records[collection])
    for number, row in enumerate(rows, start=2):
        if not any(_text(v) for v in row.values()):
            continue
        try:
            data = {k: v for k, v in convert(row, refs).items() if v not in (None, [], "")}
            record = model.model_validate(data)
            record_id = _text(row.get("编号")) or free_id(
                content / collection, f"{base}-{_text(row.get('日期')) or number}"
            )
            if record_id in taken:
                raise ValueError(f"编号“{record_id}”已存在，不会覆盖")
            path = target(content, collection, record_id, str(getattr(record, "date", None) or "")[:4])
        except ValidationError as exc:
            raw = RawRecord(collection, "", "", data, {})
            messages = [f"{d.field}: {d.message}" for d in (translate(raw, model, e) for e in exc.errors())]
            problems.append(Problem(number, "；".join(messages)))
            continue
        except ValueError as exc:
            problems.append(Problem(number, str(exc)))
            continue
        taken.add(record_id)
        planned.append(Planned(collection, record_id, path, _yaml_data(data), f"第 {number} 行"))
    rows_of = {p.path: int(p.source.split()[1]) for p in planned}
    kept, refused = settle(content, planned)
    for item, found in refused:
        problems.append(
            Problem(rows_of[item.path], "；".join(f"{d.field}: {d.message}" if d.field else d.message for d in found))
        )
    return kept, sorted(problems, key=lambda p: p.row)


def _yaml_data(data: dict[str, Any]) -> dict[str, Any]:
    """Drop empty keys inside list items too, so the file shows only what the row held."""

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if v not in (None, "", [])}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return clean(data)
