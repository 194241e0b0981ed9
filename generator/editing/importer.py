"""`zhibu import`: a secretary's Excel 台账 to one YAML record per row.

Columns are matched by the names people give them (the model's Chinese titles plus
common variants, or `--map 列名=字段`), values are read the way people write them
(2024年6月3日, 2024.6.4, 3月8日 under a year title, 李娜（倒班）), and a row that
matches a record already in the archive is reported, not duplicated. Writing goes
through `writeplan`: ids and paths proven, the check run over the result first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator.editing import conventions, itemlines
from generator.editing.sheets import Table, cell_text
from generator.editing.writeplan import Planned, UnsafePath, prove_inside, settle, target
from generator.model import COLLECTIONS, PartialDate
from generator.stages.load import RawRecord
from generator.stages.resolve import Archive
from generator.stages.validate import translate
from generator.vocab import MEETING_TYPES, RESTRICTED_MEETING

# ---------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """A record field a sheet column can fill, and the names people give that column."""

    key: str  # a field of the record; "id" for 编号; "from" for the membership start
    title: str  # the Chinese name used in messages
    names: tuple[str, ...] = ()


IGNORE = "-"  # --map 列名=- : leave the column out on purpose
IDENTIFIERS = ("身份证", "电话", "手机", "住址", "家庭地址", "联系方式")  # never imported (no field for them)


def _columns(collection: str, keys: Iterable[str], extra: dict[str, tuple[str, ...]]) -> list[Column]:
    fields = COLLECTIONS[collection].model.model_fields
    out = [Column("id", "编号", ("编号", "记录编号", "id"))]
    for key in keys:
        info = fields.get(key)
        title = extra[key][0] if info is None else str(info.title)
        out.append(Column(key, title, (title, *extra.get(key, ()))))
    return out


COLUMNS: dict[str, list[Column]] = {
    "meetings": _columns(
        "meetings",
        (
            "date",
            "covers",
            "time",
            "org",
            "type",
            "title",
            "location",
            "host",
            "recorder",
            "lecturer",
            "topic",
            "attendees",
            "absent",
            "guests",
            "preparation",
            "agenda",
            "summary",
            "decisions",
            "actions",
            "tags",
            "visibility",
        ),
        {
            "date": ("会议日期", "会议时间", "召开日期", "召开时间", "开会日期", "开会时间"),
            "time": ("起止时间", "会议时段", "时段"),
            "org": ("召开组织", "党组织", "组织名称", "党支部", "支部", "党小组", "所在支部", "所在党小组", "单位"),
            "type": ("类型", "类别", "会议类别", "会议形式", "形式"),
            "title": ("会议名称", "会议主题", "主题", "名称", "会议题目", "议题"),
            "location": ("会议地点", "召开地点", "开会地点"),
            "host": ("主持", "会议主持人", "主持人员"),
            "recorder": ("记录", "记录员", "会议记录人"),
            "lecturer": ("主讲人", "讲课人", "宣讲人", "主讲", "授课", "授课人员"),
            "attendees": ("实到人员", "参会人员", "出席人员", "参加人员", "到会人员", "实到", "出席", "签到"),
            "absent": ("缺席人员", "缺席人员及原因", "缺席及原因", "请假人员", "未到人员", "缺勤人员"),
            "guests": ("列席人员", "列席"),
            "topic": ("党课题目", "授课题目", "活动主题"),
            "agenda": ("会议议程", "议程安排"),
            "decisions": ("会议决议", "决定事项", "表决事项"),
            "actions": ("会后落实事项", "落实事项", "定人定责"),
            "summary": ("会议内容", "主要内容", "内容", "会议纪要", "纪要", "总结"),
            "tags": ("关键词",),
        },
    ),
    "people": _columns(
        "people",
        ("name", "status", "joined", "post", "category", "org", "from", "bio"),
        {
            "name": ("姓名", "党员姓名", "名字"),
            "status": ("政治面貌", "党员类别", "身份", "类别"),
            "joined": ("入党时间", "入党日期", "入党年月", "入党时间（年月）"),
            "post": ("岗位", "职务", "岗位职务", "工作岗位", "现任职务", "岗位（职务）"),
            "category": ("人才类别", "人才类型"),
            "org": ("所在组织", "所在党小组", "所在支部", "所在党支部", "党小组", "党支部", "组织", "支部"),
            "from": ("编入日期", "编入时间", "转入日期", "转入时间", "加入时间", "组织关系转入时间"),
            "bio": ("个人简介", "事迹", "主要事迹"),
        },
    ),
    "honours": _columns(
        "honours",
        ("title", "level", "date", "awarded_by", "category", "recipients", "description", "tags", "visibility"),
        {
            "title": ("荣誉称号", "荣誉", "奖项名称", "名称"),
            "level": ("荣誉级别", "级别", "等级"),
            "date": ("获奖时间", "获奖日期", "授予时间", "授予日期", "时间"),
            "awarded_by": ("授予单位", "颁发单位", "表彰单位", "发文单位"),
            "category": ("荣誉类别", "类型"),
            "recipients": ("获奖对象", "获奖者", "获奖人", "获奖单位", "获奖集体", "受表彰对象", "对象"),
            "description": ("简要事迹", "主要事迹", "备注"),
        },
    ),
}
DERIVED = ("序号", "应到", "应到人数", "实到人数", "出席率", "参会率", "到会率")  # counts the archive works out itself


def normal(header: str) -> str:
    """A header without spaces, line breaks, a trailing colon or required mark."""
    return re.sub(r"[\s*＊:：]+", "", header)


def _bare(header: str) -> str:
    """A header without a bracketed note: 实到人员（签到） → 实到人员."""
    return re.sub(r"[（(【\[].*?[）)】\]]", "", header)


@dataclass(frozen=True)
class Mapping:
    columns: dict[int, Column]  # sheet column index -> field
    unknown: list[str]  # headers nobody claimed


def lookup(kind: str) -> Callable[[str], Column | None]:
    names: dict[str, Column] = {}
    for column in COLUMNS[kind]:
        for name in column.names:
            names.setdefault(normal(name), column)
    keys = {c.key: c for c in COLUMNS[kind]}

    def find(header: str) -> Column | None:
        text = normal(header)
        return names.get(text) or names.get(normal(_bare(header))) or keys.get(text)

    return find


def known_header(kind: str) -> Callable[[str], bool]:
    find = lookup(kind)
    return lambda header: find(header) is not None or normal(header) in DERIVED


def parse_maps(kind: str, maps: Iterable[str]) -> dict[str, Column | None]:
    """`列名=字段` pairs; the field is a Chinese title, an English key, or - to ignore the column."""
    find = lookup(kind)
    out: dict[str, Column | None] = {}
    for item in maps:
        header, sep, target_name = item.partition("=")
        if not sep or not header.strip():
            raise ValueError(f"--map “{item}” 应写成 列名=字段，如 --map 参会人员=实到人员")
        wanted = target_name.strip()
        if wanted in (IGNORE, "忽略"):
            out[normal(header)] = None
            continue
        column = find(wanted)
        if column is None:
            choices = "、".join(c.title for c in COLUMNS[kind])
            raise ValueError(f"--map “{item}”：不认识字段“{wanted}”，可用：{choices}，或 - 表示忽略这一列")
        out[normal(header)] = column
    return out


def map_columns(kind: str, headers: list[str], maps: dict[str, Column | None]) -> Mapping:
    """Which column fills which field; when two columns claim one field the closer name wins."""
    find = lookup(kind)
    claims: dict[str, list[tuple[int, int]]] = {}  # key -> [(rank, column index)]
    chosen: dict[int, Column] = {}
    unknown = []
    ambiguous_time = None
    for i, header in enumerate(headers):
        key = normal(header)
        if not key or key in DERIVED or normal(_bare(header)) in DERIVED:
            continue
        if key in maps:
            if (column := maps[key]) is not None:
                chosen[i] = column
                claims.setdefault(column.key, []).insert(0, (-1, i))
            continue
        if kind == "meetings" and key == "时间":  # a date or a time of day: decided below
            ambiguous_time = i
            continue
        column = find(header)
        if column is None:
            unknown.append(header)
            continue
        rank = next((n for n, name in enumerate(column.names) if normal(name) == key), len(column.names))
        chosen[i] = column
        claims.setdefault(column.key, []).append((rank, i))
    for found in claims.values():
        for _, i in sorted(found)[1:]:
            del chosen[i]
            if normal(headers[i]) not in COUNTS:
                unknown.append(headers[i])
    if ambiguous_time is not None:
        has_date = any(c.key == "date" for c in chosen.values())
        chosen[ambiguous_time] = next(c for c in COLUMNS["meetings"] if c.key == ("time" if has_date else "date"))
    return Mapping(chosen, unknown)


COUNTS = ("实到", "出席")  # a count when another column holds the names


def unknown_message(kind: str, unknown: list[str]) -> str:
    private = [h for h in unknown if any(w in h for w in IDENTIFIERS)]
    names = "、".join(f"“{h}”" for h in unknown)
    hint = (
        f"用 --map 列名=字段 指定（字段可用：{'、'.join(c.title for c in COLUMNS[kind])}），或 --map 列名=- 忽略这一列"
    )
    extra = f"。{'、'.join(private)} 属于个人信息，档案不保存，请用 --map 列名=- 忽略" if private else ""
    return f"不认识的列：{names}。{hint}{extra}"


# ---------------------------------------------------------------- values


class Refused(ValueError):
    """A cell that cannot be read; the message quotes the value."""


EXCEL_EPOCH = date(1899, 12, 30)
_FULL = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?$")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*月?$")
_YEAR = re.compile(r"^(\d{4})\s*年?度?$")
_CLOCK = r"(\d{1,2})\s*[:：时点]\s*(\d{2})?\s*分?"
_TIME = re.compile(rf"^{_CLOCK}(?:\s*[-~～—至到]+\s*{_CLOCK})?$")
_DATE_AND_TIME = re.compile(r"^(.*?日|\S+)\s+(\d{1,2}\s*[:：时点].*)$")


def _serial(value: float) -> date:
    return EXCEL_EPOCH + timedelta(days=int(value))


def parse_time(value: Any) -> str:
    if isinstance(value, time):
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, datetime):
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, float) and 0 <= value < 1:  # an Excel time read as a fraction of a day
        minutes = round(value * 24 * 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    text = cell_text(value)
    match = _TIME.match(text)
    if not match:
        raise Refused(f"“{text}”不是时间（应如 14:30 或 14:30-16:00）")
    h1, m1, h2, m2 = match.groups()
    if int(h1) > 23 or (h2 and int(h2) > 23) or int(m1 or 0) > 59 or int(m2 or 0) > 59:
        raise Refused(f"“{text}”不是有效时间")
    start = f"{int(h1):02d}:{int(m1 or 0):02d}"
    return f"{start}-{int(h2):02d}:{int(m2 or 0):02d}" if h2 else start


def parse_date(value: Any, year: int | None, *, partial: bool = False) -> tuple[str, str | None]:
    """(YYYY-MM-DD, or YYYY-MM / YYYY when partial; a time of day when the cell also had one)."""
    if isinstance(value, datetime):
        clock = f"{value.hour:02d}:{value.minute:02d}" if (value.hour, value.minute) != (0, 0) else None
        return value.date().isoformat(), clock
    if isinstance(value, date):
        return value.isoformat(), None
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        return _serial(value).isoformat(), None  # an Excel date serial shown as a number
    text = cell_text(value).replace("　", " ")
    clock = None
    if (both := _DATE_AND_TIME.match(text)) and _TIME.match(both.group(2).strip()):
        text, clock = both.group(1).strip(), parse_time(both.group(2).strip())
    parts: tuple[int, ...] | None = None
    for pattern in (_FULL, _COMPACT):
        if match := pattern.match(text):
            parts = tuple(int(g) for g in match.groups())
    if parts is None and (match := _MONTH_DAY.match(text)):
        if year is None:
            raise Refused(f"“{text}”没有年份，表格标题中也没有年份（请写成 2024年3月8日）")
        parts = (year, int(match.group(1)), int(match.group(2)))
    if parts is None and partial:
        if match := _YEAR_MONTH.match(text):
            parts = (int(match.group(1)), int(match.group(2)))
        elif match := _YEAR.match(text):
            parts = (int(match.group(1)),)
    if parts is None:
        forms = "2024-06-03、2024年6月3日、2024.6.3" + ("、2008.07、2015年6月" if partial else "")
        raise Refused(f"“{text}”不是日期（可写 {forms}）")
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise Refused(f"“{text}”不是有效日期") from None
    return str(PartialDate(*parts)), clock


_CJK_SPACED = re.compile(r"^[\u3400-\u9fff·•\s]+$")


def clean_name(text: str) -> str:
    """张 伟 → 张伟; a full-width or doubled space counts too. Latin names keep one space."""
    text = re.sub(r"[\s\u3000]+", " ", text).strip()
    return text.replace(" ", "") if _CJK_SPACED.match(text) else text


SPLIT = re.compile(r"[、，,；;/\n]+")
_REASON = re.compile(
    r"^(?P<person>[^（(：:\s]+(?:\s[^（(：:\s]+)?)\s*(?:[（(](?P<r1>[^）)]*)[）)]|[：:]\s*(?P<r2>.+))$"
)


def _people_text(value: Any) -> list[str]:
    text = cell_text(value)
    return [p.strip() for p in SPLIT.split(text) if p.strip()] if text else []


class Refs:
    """Names from a sheet to ids, each problem as a message that quotes the value."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def org(self, value: str) -> str:
        found = self.archive.find_org(value) or self.archive.find_org(clean_name(value))
        if found:
            return found.id
        raise Refused(f"找不到组织“{value}”")

    def person(self, value: str) -> str:
        name = clean_name(value)
        found = self.archive.records["people"].get(name)
        if found:
            return found.id
        ids = self.archive.people_by_name.get(name, [])
        if len(ids) == 1:
            return ids[0]
        if ids:
            raise Refused(f"有 {len(ids)} 人同名“{name}”，请写编号：{'、'.join(sorted(ids))}")
        raise Refused(f"找不到人员“{value}”")

    def known(self, value: str) -> bool:
        try:
            self.person(value)
        except Refused:
            return False
        return True

    def people(self, value: Any) -> list[str]:
        """A list of names: 、，; separated, or by spaces when each part is a person (张伟 李娜)."""
        out, problems = [], []
        for part in _people_text(value):
            pieces = [part] if self.known(part) or " " not in part.strip() else part.split()
            if len(pieces) > 1 and not all(self.known(p) for p in pieces):
                pieces = [part]
            for piece in pieces:
                try:
                    out.append(self.person(piece))
                except Refused as exc:
                    problems.append(str(exc))
        if problems:
            raise Refused("；".join(problems))
        return list(dict.fromkeys(out))

    def absent(self, value: Any) -> list[dict[str, str | None]]:
        """李娜（倒班）, 李娜(倒班), 李娜：倒班, 李娜 倒班, or only 李娜."""
        out, problems = [], []
        for part in _people_text(value):
            person, reason = part, None
            if not self.known(part):
                match = _REASON.match(part)
                if match:
                    person, reason = match.group("person"), match.group("r1") or match.group("r2")
                elif " " in part.strip():
                    person, _, reason = part.strip().partition(" ")
            try:
                out.append({"person": self.person(person.strip()), "reason": (reason or "").strip() or None})
            except Refused as exc:
                problems.append(str(exc))
        if problems:
            raise Refused("；".join(problems))
        return out

    def recipient(self, value: str) -> dict[str, str]:
        for key, find in (("org", self.org), ("person", self.person)):
            try:
                return {key: find(value)}
            except Refused:
                continue
        return {"team": value}


# ---------------------------------------------------------------- rows to records


@dataclass
class Row:
    """One sheet row on its way to a record: values by field, problems by column."""

    number: int
    cells: dict[str, tuple[Column, str, Any]]  # key -> (column, header as written, cell)
    year: int | None
    refs: Refs
    data: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)  # fields whose cell was refused

    def cell(self, key: str) -> Any:
        found = self.cells.get(key)
        return found[2] if found and cell_text(found[2]) else None

    def header(self, key: str) -> str:
        key = "org" if key == "memberships" else key
        found = self.cells.get(key)
        return found[1] if found else next((c.title for c in _all_columns() if c.key == key), key)

    def put(self, key: str, read: Callable[[Any], Any]) -> None:
        value = self.cell(key)
        if value is None:
            return
        try:
            self.data[key] = read(value)
        except Refused as exc:
            self.refuse(key, str(exc))

    def refuse(self, key: str, message: str) -> None:
        self.problems.append(f"“{self.header(key)}”：{message}")
        self.failed.add(key)


def _all_columns() -> list[Column]:
    return [c for columns in COLUMNS.values() for c in columns]


def _text(value: Any) -> str:
    return re.sub(r"[ \t\u3000]+", " ", cell_text(value)).strip()


def _texts(value: Any) -> list[str]:
    return _people_text(value)


def _meeting(row: Row) -> None:
    refs = row.refs
    date_value = row.cell("date")
    if date_value is not None:
        try:
            day, clock = parse_date(date_value, row.year)
            row.data["date"] = day
            if clock and row.cell("time") is None:
                row.data["time"] = clock
        except Refused as exc:
            row.refuse("date", str(exc))
    row.put("time", parse_time)
    row.put("org", lambda v: refs.org(_text(v)))
    row.put("type", lambda v: MEETING_TYPES.canonical(_text(v)))
    for key in ("title", "topic", "covers", "location", "preparation", "summary", "visibility"):
        row.put(key, _text if key not in ("preparation", "summary") else cell_text)
    for key in ("host", "recorder"):
        row.put(key, lambda v: refs.person(_text(v)))
    row.put("lecturer", lambda v: refs.person(_text(v)) if refs.known(_text(v)) else clean_name(_text(v)))
    attendees = row.cell("attendees")
    if attendees is not None and not (row.header("attendees") == "实到" and cell_text(attendees).isdigit()):
        row.put("attendees", refs.people)
    row.put("absent", refs.absent)
    row.put("guests", lambda v: [refs.person(g) if refs.known(g) else g for g in _texts(v)])
    row.put("tags", _texts)
    row.put("agenda", lambda v: itemlines.read_agenda(cell_text(v)))
    row.put("decisions", lambda v: itemlines.read_decisions(cell_text(v)))
    row.put("actions", lambda v: [_action(row, a) for a in itemlines.read_actions(cell_text(v))])


def _action(row: Row, action: dict[str, str]) -> dict[str, str]:
    """An action line's owner as a person id, its dates as dates."""
    out = dict(action)
    if "owner" in out:
        out["owner"] = row.refs.person(out["owner"])
    for key in ("due", "done"):
        if key in out:
            out[key] = parse_date(out[key], row.year)[0]
    return out


def _person(row: Row) -> None:
    refs = row.refs
    row.put("name", lambda v: clean_name(_text(v)))
    row.put("status", lambda v: _text(v))
    row.put("joined", lambda v: parse_date(v, None, partial=True)[0])
    for key in ("post", "category"):
        row.put(key, _text)
    row.put("bio", cell_text)
    row.put("org", lambda v: [refs.org(o) for o in _texts(v)])
    row.put("from", lambda v: parse_date(v, row.year)[0])
    orgs = row.data.pop("org", [])
    start = row.data.pop("from", None)
    if orgs:
        row.data["memberships"] = [{"org": o, "from": start} for o in orgs]


def _honour(row: Row) -> None:
    refs = row.refs
    row.put("date", lambda v: parse_date(v, row.year, partial=True)[0])
    for key in ("title", "level", "awarded_by", "category", "visibility"):
        row.put(key, _text)
    row.put("description", cell_text)
    row.put("recipients", lambda v: [refs.recipient(clean_name(r)) for r in _texts(v)])
    row.put("tags", _texts)


CONVERTERS: dict[str, Callable[[Row], None]] = {"meetings": _meeting, "people": _person, "honours": _honour}
KINDS = tuple(CONVERTERS)


# ---------------------------------------------------------------- identity


def identity(collection: str, data: dict[str, Any]) -> tuple[Any, ...] | None:
    """What makes two rows the same record when there is no 编号."""
    if collection == "meetings":
        return (data.get("org"), data.get("type"), data.get("date"), data.get("title"))
    if collection == "honours":
        return (data.get("title"), str(data.get("date")))
    return None


def _existing_key(collection: str, record: Any) -> tuple[Any, ...] | None:
    d = record.data
    if collection == "meetings":
        return (d.org, d.type, d.date.isoformat(), d.title)
    if collection == "honours":
        return (d.title, str(d.date))
    return None


def find_existing(archive: Archive, collection: str, data: dict[str, Any]) -> Any:
    """The archive's record this row describes, if any."""
    if collection == "people":
        name = data.get("name")
        orgs = {m["org"] for m in data.get("memberships", [])}
        same = [archive.records["people"][i] for i in archive.people_by_name.get(name, [])]
        if orgs:
            same = [p for p in same if orgs & {m.org for m in p.data.memberships}] or (same if len(same) == 1 else [])
        return same[0] if len(same) == 1 else None
    key = identity(collection, data)
    if key is None:
        return None
    return next((r for r in archive.records[collection].values() if _existing_key(collection, r) == key), None)


def where(archive: Archive, collection: str, data: dict[str, Any], taken: set[str]) -> conventions.Proposal:
    """Folder and id by the archive's conventions, as `zhibu new` makes them."""
    kind = {"meetings": "type", "honours": "level"}.get(collection)
    org = data.get("org")
    if collection == "people" and data.get("memberships"):
        org = data["memberships"][-1]["org"]
    if collection == "honours":
        org = next((r["org"] for r in data.get("recipients", []) if "org" in r), None)
    day = str(data.get("date") or "")
    parsed = date.fromisoformat(day) if len(day) == 10 else date(int(day[:4]), int(day[5:7] or 1), 1) if day else None
    return conventions.propose(
        archive, collection, org=org, kind=data.get(kind) if kind else None, day=parsed, taken=taken
    )


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Problem:
    row: int  # the sheet's own row number
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行：{self.message}"


@dataclass
class Outcome:
    planned: list[Planned] = field(default_factory=list)  # new records
    updates: list[Planned] = field(default_factory=list)  # changed existing records (--update)
    existing: list[str] = field(default_factory=list)  # rows that are already in the archive, unchanged
    changed: list[str] = field(default_factory=list)  # rows of existing records that differ (without --update)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def plan(
    kind: str,
    table: Table,
    mapping: Mapping,
    content: Path,
    archive: Archive,
    *,
    update: bool = False,
    today: date | None = None,
) -> Outcome:
    """What the table's rows would become, and every row that cannot come in (all its problems at once)."""
    collection = kind
    refs = Refs(archive)
    outcome = Outcome(notes=list(table.notes))
    folder = content / collection
    taken = set(archive.records[collection]) | ({p.stem for p in folder.rglob("*.y*ml")} if folder.is_dir() else set())
    seen: dict[Any, int] = {}
    no_start = restricted = 0
    for number, cells in table.rows:
        row = Row(
            number, {c.key: (c, table.headers[i], cells[i]) for i, c in mapping.columns.items()}, table.year, refs
        )
        CONVERTERS[kind](row)
        if collection == "meetings" and row.cell("id") is None and row.data.get("title") == RESTRICTED_MEETING:
            restricted += 1  # a default export's stand-in for a restricted meeting: nothing to import
            continue
        if collection == "people" and row.data.get("memberships") and row.cell("from") is None:
            start = (today or date.today()).isoformat()
            row.data["memberships"] = [{**m, "from": start} for m in row.data["memberships"]]
        row_id = _text(row.cell("id")) if row.cell("id") is not None else None
        data = _clean(row.data)
        row.problems += _model_problems(collection, data, row)
        if row.problems:
            outcome.problems.append(Problem(number, "；".join(row.problems)))
            continue
        key = row_id or identity(collection, data) or (data.get("name"), str(data.get("memberships")))
        if key in seen:
            outcome.problems.append(Problem(number, f"与第 {seen[key]} 行是同一条记录，请删去一行"))
            continue
        seen[key] = number
        existing = archive.records[collection].get(row_id) if row_id else find_existing(archive, collection, data)
        try:
            if existing is not None:
                _compare(existing, data, row, outcome, update, content)
                continue
            proposal = where(archive, collection, data, taken)
            record_id = row_id or proposal.record_id
            if record_id in taken:
                raise Refused(f"编号“{record_id}”已被其他文件使用，不会覆盖")
            path = target(content, proposal.folder, record_id)
        except (Refused, UnsafePath) as exc:
            outcome.problems.append(Problem(number, str(exc)))
            continue
        taken.add(record_id)
        no_start += collection == "people" and row.cell("from") is None and bool(data.get("memberships"))
        outcome.planned.append(Planned(collection, record_id, path, data, f"第 {number} 行"))
    if restricted:
        outcome.notes.append(f"跳过 {restricted} 行受限会议（导出时只留了日期、类型和人数，没有可导入的内容）")
    if no_start:
        outcome.notes.append(f"{no_start} 人没有编入日期，按今天编入（应到只从今天算起）；如需更早，请加“编入日期”列")
    _settle(content, outcome)
    outcome.problems.sort(key=lambda p: p.row)
    return outcome


def _clean(value: Any) -> Any:
    """Empty values out, so a file holds only what the row gave."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v not in (None, "", [])}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _model_problems(collection: str, data: dict[str, Any], row: Row) -> list[str]:
    """The model's complaints, in the sheet's words; aliases (中共党员) become the canonical word."""
    model = COLLECTIONS[collection].model
    try:
        record = model.model_validate(data)
    except ValidationError as exc:
        raw = RawRecord(collection, "", "", data, {})
        found = [translate(raw, model, e) for e in exc.errors()]
        failed = row.failed | ({"memberships"} if collection == "people" and row.failed & {"org", "from"} else set())
        return [_message(d.field, d.message, row.header) for d in found if d.field.split(".")[0] not in failed]
    for key, value in data.items():
        canonical = getattr(record, key, value)
        if isinstance(value, str) and isinstance(canonical, str) and canonical != value:
            data[key] = canonical
    return []


def _message(field_path: str, message: str, header: Callable[[str], str]) -> str:
    top = field_path.split(".")[0]
    key = "org" if top == "memberships" else top
    label = header(key) if key else ""
    message = re.sub(r"\s*[a-z_]+$", "", message)  # "党课必须填写授课人 lecturer" → "党课必须填写授课人"
    if message == "缺少必填字段":
        return f"缺少“{label}”" if label else message
    return f"“{label}”：{message}" if label else message


def _compare(existing: Any, data: dict[str, Any], row: Row, outcome: Outcome, update: bool, content: Path) -> None:
    """An existing record: unchanged, changed (reported), or changed and updated (--update)."""
    raw = existing.raw.data if isinstance(existing.raw.data, dict) else {}
    merged = {**raw, **data}
    if existing.collection == "people" and "memberships" in data:
        merged["memberships"] = _merge_memberships(raw.get("memberships") or [], data["memberships"])
    for key, name in ITEM_KEYS.items() if existing.collection == "meetings" else ():
        if key in data:
            merged[key] = _merge_items(raw.get(key) or [], data[key], name)
    order = [i.alias or n for n, i in COLLECTIONS[existing.collection].model.model_fields.items()]
    merged = {k: merged[k] for k in sorted(merged, key=lambda k: order.index(k) if k in order else len(order))}
    label = f"第 {row.number} 行：已有记录 {existing.file}"
    if same(row.refs, existing.collection, raw, merged):
        outcome.existing.append(f"{label}，内容相同")
        return
    if not update:
        fields = "、".join(
            row.header(k) for k in data if not same(row.refs, existing.collection, {k: raw.get(k)}, {k: merged[k]})
        )
        outcome.changed.append(f"{label}，表中“{fields}”与之不同（加 --update 更新）")
        return
    path = (content / existing.file).resolve()
    old = path.read_text(encoding="utf-8-sig")
    planned = Planned(existing.collection, existing.id, prove_inside(content, path), merged, f"第 {row.number} 行", old)
    outcome.updates.append(planned)


ITEM_KEYS = {"agenda": "title", "decisions": "text", "actions": "task"}  # a meeting's items, by what names them


def _merge_items(old: list[Any], new: list[dict[str, Any]], name: str) -> list[Any]:
    """A sheet's one-line items keep what only the record holds (an agenda item's notes, an action's result)."""
    left = [item for item in old if isinstance(item, dict)]
    out = []
    for item in new:
        match = next((o for o in left if o.get(name) == item[name]), None)
        if match is not None:
            left.remove(match)
        out.append({**(match or {}), **item})
    return out


def _merge_memberships(old: list[Any], new: list[dict[str, Any]]) -> list[Any]:
    """Keep the history: a sheet's org that is already a membership changes nothing."""
    orgs = {m.get("org") for m in old if isinstance(m, dict)}
    return [*old, *(m for m in new if m["org"] not in orgs)]


def same(refs: Refs, collection: str, a: dict[str, Any], b: dict[str, Any]) -> bool:
    return _canonical(refs, collection, a) == _canonical(refs, collection, b)


def _canonical(refs: Refs, collection: str, data: dict[str, Any]) -> Any:
    """Data as the check sees it, names and ids alike, so 李娜 equals li and 支部委员会 equals 支委会."""

    def ids(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ids(v) for k, v in value.items() if v not in (None, "", [])}
        if isinstance(value, list):
            return [ids(v) for v in value]
        if isinstance(value, str):
            return refs.person(value) if refs.known(value) else value.strip()
        return value

    plain = ids(data)
    try:
        return ids(COLLECTIONS[collection].model.model_validate(plain).model_dump(mode="json", by_alias=True))
    except ValidationError:
        return plain


def _settle(content: Path, outcome: Outcome) -> None:
    """Refuse the rows whose records would not pass `zhibu check`, with its reasons."""
    rows = {p.path: int(p.source.split()[1]) for p in [*outcome.planned, *outcome.updates]}
    kept, refused = settle(content, [*outcome.planned, *outcome.updates])
    for item, found in refused:
        headers = {c.key: c.title for c in COLUMNS[item.collection]}
        messages = [_message(d.field, d.message, lambda k, h=headers: h.get(k, k)) for d in found]
        outcome.problems.append(Problem(rows[item.path], "；".join(messages)))
    outcome.planned = [p for p in kept if p.old is None]
    outcome.updates = [p for p in kept if p.old is not None]
