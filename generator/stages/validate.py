"""Stage 2, validate: raw records to typed records, with every problem as a diagnostic.

Shape and types come from the pydantic models in `model`; the rules here are the
ones that look at several fields of one record. Rules that need other records
live in `resolve`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, get_origin

from pydantic import ValidationError

from generator.diagnostics import Diagnostic, error, has_errors, warning
from generator.model import ARCHIVE, COLLECTIONS, ID_PATTERN, Model
from generator.stages.load import Loc, RawRecord
from generator.vocab import PARTY_MEMBER_STATUSES


@dataclass(frozen=True)
class Record:
    """A valid record: its typed data plus where it came from."""

    collection: str
    id: str
    file: str
    data: Any  # the collection's Model
    raw: RawRecord

    def line(self, *loc: str | int) -> int:
        return self.raw.line(loc)

    @property
    def key(self) -> tuple[str, str]:
        return (self.collection, self.id)


@dataclass(frozen=True)
class Validated:
    archive: Record | None
    records: dict[str, dict[str, Record]]  # collection -> id -> record
    # Records with errors, holding the fields that are valid: resolve still checks their
    # references, so one run reports every problem of a record.
    partial: list[Record] = field(default_factory=list)


def validate(
    raw_records: list[RawRecord], age: Callable[[str], Any] = str, kept: dict[str, Any] | None = None
) -> tuple[Validated, list[Diagnostic]]:
    """Typed records and every problem. Of files sharing an id the oldest keeps it; age(file)
    orders them (larger is newer; by default the later path counts as newer). With `kept`
    (a long-lived process: WorkCache.kept), a raw record validated last time is not again."""
    validate_one = _validate_one if kept is None else _kept(kept)
    diagnostics: list[Diagnostic] = []
    archive: Record | None = None
    records: dict[str, dict[str, Record]] = {name: {} for name in COLLECTIONS}
    partial: list[Record] = []
    owners = _id_owners(raw_records, age, diagnostics)
    for raw in raw_records:
        if raw.collection == "archive":
            archive = validate_one(raw, ARCHIVE.model, diagnostics, partial) or archive
            continue
        if not ID_PATTERN.match(raw.id):
            diagnostics.append(
                error(
                    raw.file,
                    0,
                    "",
                    f"文件名“{raw.id}”不能作编号：只能用小写字母、数字和连字符，以字母或数字开头，最长 80 个字符",
                )
            )
            continue
        record = validate_one(raw, COLLECTIONS[raw.collection].model, diagnostics, partial)
        if record is None:
            continue
        if owners[(raw.collection, raw.id)] is not raw:
            partial.append(record)
            continue
        records[raw.collection][raw.id] = record
    return Validated(archive, records, partial), diagnostics


def _id_owners(
    raw_records: list[RawRecord], age: Callable[[str], Any], diagnostics: list[Diagnostic]
) -> dict[tuple[str, str], RawRecord]:
    """The file that keeps each id (the oldest); each newer file with that id gets an error
    naming itself first and then the file that has the id."""
    by_id: dict[tuple[str, str], list[RawRecord]] = {}
    for raw in raw_records:
        by_id.setdefault((raw.collection, raw.id), []).append(raw)
    owners = {}
    for key, raws in by_id.items():
        oldest, *newer = sorted(raws, key=lambda r: (age(r.file), r.file)) if len(raws) > 1 else raws
        owners[key] = oldest
        for raw in newer:
            message = f"编号“{raw.id}”重复：{oldest.file} 已使用这个编号，本文件较新，请给本文件改名"
            diagnostics.append(error(raw.file, 0, "", message))
    return owners


def _kept(kept: dict[str, Any]) -> Callable[..., Record | None]:
    """_validate_one, remembered per file: the same RawRecord object (load keeps it while its file
    is unchanged) gives the same record, diagnostics and partial record as before."""

    def validate_one(
        raw: RawRecord, model: type[Model], diagnostics: list[Diagnostic], partial: list[Record]
    ) -> Record | None:
        found = kept.get(f"validate {raw.file}")
        if found is None or found[0] is not raw:
            mine: list[Diagnostic] = []
            parts: list[Record] = []
            found = kept[f"validate {raw.file}"] = (raw, _validate_one(raw, model, mine, parts), mine, parts)
        diagnostics += found[2]
        partial += found[3]
        return found[1]

    return validate_one


def _validate_one(
    raw: RawRecord, model: type[Model], diagnostics: list[Diagnostic], partial: list[Record]
) -> Record | None:
    if not isinstance(raw.data, dict):
        diagnostics.append(error(raw.file, raw.line(()), "", "记录应为“字段: 值”的键值映射"))
        return None
    data = _drop_empty(raw.data)
    try:
        valid = model.model_validate(data)
    except ValidationError as exc:
        diagnostics.extend(translate(raw, model, e) for e in exc.errors())
        partial.append(Record(raw.collection, raw.id, raw.file, _valid_fields(model, data, exc), raw))
        return None
    record = Record(raw.collection, raw.id, raw.file, valid, raw)
    found = [*RULES.get(raw.collection, _no_rules)(record)]
    diagnostics.extend(found)
    if has_errors(found):
        partial.append(record)
        return None
    return record


def _valid_fields(model: type[Model], data: dict[str, Any], exc: ValidationError) -> Model:
    """A model instance holding only the top-level fields that validated; the others unset."""
    failed = {e["loc"][0] for e in exc.errors() if e["loc"]}
    names = {info.alias or name: name for name, info in model.model_fields.items()}
    instance = model.model_construct()
    for key, value in data.items():
        if key in names and key not in failed:
            model.__pydantic_validator__.validate_assignment(instance, names[key], value)
    return instance


def _drop_empty(value: Any) -> Any:
    """An empty value (`field:`) means the field is not given."""
    if isinstance(value, dict):
        return {k: _drop_empty(v) if isinstance(v, dict | list) else v for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_empty(v) if isinstance(v, dict | list) else v for v in value]
    return value


_MESSAGES: dict[str, str] = {
    "missing": "缺少必填字段",
    "list_type": "应为列表（每项一行，以“- ”开头）",
    "model_type": "应为“字段: 值”的键值映射",
    "model_attributes_type": "应为“字段: 值”的键值映射",
    "dict_type": "应为“字段: 值”的键值映射",
    "string_type": "应为文字，不能是列表或映射",
    "string_too_short": "不能为空",
    "too_short": "至少要写一项",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "greater_than_equal": "不能为负数",
}


def translate(raw: RawRecord, model: type[Model], err: Any) -> Diagnostic:
    loc: Loc = tuple(p for p in err["loc"] if p != "[key]")
    field = ".".join(map(str, loc))
    kind = err["type"]
    if kind == "extra_forbidden":
        message = _unknown_field(raw, model, loc)
    elif kind == "missing" and loc in raw.lines:
        message = "不能为空"
    elif kind == "literal_error":
        expected = err["ctx"]["expected"].replace("'", "").replace(" or ", ", ").split(", ")
        message = f"“{err['input']}”不是有效取值，可选：{'、'.join(expected)}"
    elif kind.startswith("zhibu_"):
        message = err["msg"]
    else:
        message = _MESSAGES.get(kind, err["msg"])
    return error(raw.file, raw.line(loc), field, message)


def _unknown_field(raw: RawRecord, model: type[Model], loc: Loc) -> str:
    name = str(loc[-1])
    if raw.collection == "assessments" and loc == ("total",):
        return "总分由各项得分自动计算，请删除此字段"
    fields = _fields_at(model, loc[:-1])
    # The Chinese label `zhibu new` shows in its comments (地点) names its field (location).
    by_title = {info.title: known for known, info in fields.items() if info.title}
    if hint := difflib.get_close_matches(name, fields, n=1, cutoff=0.6):
        return f"未知字段“{name}”，是不是“{hint[0]}”？"
    if hint := difflib.get_close_matches(name, by_title, n=1, cutoff=0.5):
        return f"未知字段“{name}”，是不是“{by_title[hint[0]]}”（{hint[0]}）？"
    return f"未知字段“{name}”；可用字段：{'、'.join(fields)}"


def _fields_at(model: type[Model], loc: Loc) -> dict[str, Any]:
    """Fields (name as written in YAML -> pydantic FieldInfo) of the sub-model found at loc."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) or next(
            (i for i in current.model_fields.values() if i.alias == part), None
        )
        current = submodel(info.annotation) if info else None
        if current is None:
            return {}
    return {i.alias or n: i for n, i in current.model_fields.items()}


def is_list(annotation: Any) -> bool:
    return get_origin(annotation) is list


def submodel(annotation: Any) -> type[Model] | None:
    if isinstance(annotation, type) and issubclass(annotation, Model):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = submodel(arg)
        if found:
            return found
    return None


# ---------------------------------------------------------------- one-record rules

Rule = Callable[[Record], Iterator[Diagnostic]]


def _no_rules(record: Record) -> Iterator[Diagnostic]:
    return iter(())


def _order(record: Record, loc: Loc, start: Any, end: Any, what: str) -> Iterator[Diagnostic]:
    if start and end and end < start:
        yield error(record.file, record.line(*loc), ".".join(map(str, loc)), f"{what}早于开始日期")


def _org_rules(record: Record) -> Iterator[Diagnostic]:
    org = record.data
    yield from _order(record, ("dissolved",), org.established, org.dissolved, "撤销日期")
    for i, officer in enumerate(org.officers):
        yield from _order(record, ("officers", i, "to"), officer.from_, officer.to, "任职结束日期")


def _person_rules(record: Record) -> Iterator[Diagnostic]:
    person = record.data
    if person.status in PARTY_MEMBER_STATUSES and not person.memberships:
        yield error(record.file, record.line("status"), "memberships", "党员必须填写组织关系 memberships")
    for i, m in enumerate(person.memberships):
        yield from _order(record, ("memberships", i, "to"), m.from_, m.to, "转出日期")


def _meeting_rules(record: Record) -> Iterator[Diagnostic]:
    meeting = record.data
    file = record.file
    if meeting.type == "党课" and not meeting.lecturer:
        yield error(file, record.line("type"), "lecturer", "党课必须填写授课人 lecturer")
    seen: set[str] = set()
    for i, person in enumerate(meeting.attendees):
        if person in seen:
            yield warning(file, record.line("attendees", i), f"attendees.{i}", f"“{person}”重复列出")
        seen.add(person)
    for i, absence in enumerate(meeting.absent):
        if absence.person in seen:
            yield error(file, record.line("absent", i), f"absent.{i}.person", f"“{absence.person}”同时列在实到和缺席中")
    present = len(meeting.attendees)
    for i, decision in enumerate(meeting.decisions):
        votes = decision.votes
        if votes and present:
            total = (votes.for_ or 0) + (votes.against or 0) + (votes.abstain or 0)
            if total > present:
                yield error(
                    file,
                    record.line("decisions", i, "votes"),
                    f"decisions.{i}.votes",
                    f"表决票数合计 {total} 超过实到人数 {present}",
                )
    for i, action in enumerate(meeting.actions):
        if action.done and action.status not in (None, "已完成"):
            yield warning(
                file,
                record.line("actions", i, "done"),
                f"actions.{i}.done",
                f"填写了完成日期，但状态是“{action.status}”",
            )


def _one_of(record: Record, loc: Loc, value: Any, keys: tuple[str, ...]) -> Iterator[Diagnostic]:
    given = [k for k in keys if getattr(value, k) is not None]
    if len(given) != 1:
        words = "、".join(f"{type(value).model_fields[k].title}（{k}）" for k in keys)
        yield error(record.file, record.line(*loc), ".".join(map(str, loc)), f"应当只填 {words} 中的一项")


def _honour_rules(record: Record) -> Iterator[Diagnostic]:
    for i, recipient in enumerate(record.data.recipients):
        yield from _one_of(record, ("recipients", i), recipient, ("org", "person", "team"))


def _project_rules(record: Record) -> Iterator[Diagnostic]:
    yield from _order(record, ("end",), record.data.start, record.data.end, "结束日期")


def _assessment_rules(record: Record) -> Iterator[Diagnostic]:
    assessment = record.data
    yield from _one_of(record, ("subject",), assessment.subject, ("org", "person"))
    for i, item in enumerate(assessment.items):
        if item.score > item.max:
            yield error(
                record.file,
                record.line("items", i, "score"),
                f"items.{i}.score",
                f"得分 {item.score:g} 超过满分 {item.max:g}",
            )


def _archive_rules(record: Record) -> Iterator[Diagnostic]:
    for name in ("repo_url", "edit_url", "history_url"):
        value = getattr(record.data, name)
        if value and not value.lower().startswith(("http://", "https://")):
            yield error(record.file, record.line(name), name, "应为 http:// 或 https:// 开头的网址")


RULES: dict[str, Rule] = {
    "archive": _archive_rules,
    "orgs": _org_rules,
    "people": _person_rules,
    "meetings": _meeting_rules,
    "honours": _honour_rules,
    "projects": _project_rules,
    "assessments": _assessment_rules,
}
