"""Writing records: skeletons for `zhibu new` and `zhibu init` (Hugo's archetypes are the
model), and plain records for `zhibu import`. Both come from the record models, so a
new field shows up in every skeleton with its Chinese description.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from generator.editing import conventions
from generator.model import COLLECTIONS, ID_PATTERN
from generator.stages.resolve import Archive
from generator.stages.validate import Record, is_list, submodel
from generator.vocab import MEETING_TYPES

_PLAIN_UNSAFE = re.compile(r"^[\s\-?:,\[\]{}#&*!|>'\"%@`]|: | #|\s$|^(?:~|null|Null|NULL)$")


def scalar(value: Any) -> str:
    """A value as a YAML scalar that zhibu's loader reads back unchanged."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = value.isoformat() if isinstance(value, date) else str(value)
    return json.dumps(text, ensure_ascii=False) if not text or _PLAIN_UNSAFE.search(text) else text


def dump(data: Any, indent: int = 0) -> list[str]:
    """Block-style YAML lines for plain data (dicts, lists, scalars); empty values are left out."""
    pad = "  " * indent
    lines: list[str] = []
    items = data.items() if isinstance(data, dict) else ((None, v) for v in data)
    for key, value in items:
        if value is None or value == [] or value == {}:
            continue
        head = f"{pad}{key}:" if key is not None else f"{pad}-"
        if isinstance(value, dict | list):
            inner = dump(value, indent + 1)
            if key is None and isinstance(value, dict):
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
            else:
                lines.append(head)
                lines.extend(inner)
        elif isinstance(value, str) and "\n" in value:
            lines.append(f"{head} |")
            lines.extend(f"{pad}  {line}" if line else "" for line in value.rstrip("\n").split("\n"))
        else:
            lines.append(f"{head} {scalar(value)}")
    return lines


def skeleton(
    collection: str, values: dict[str, Any], schema: str | None = None, notes: dict[str, list[str]] | None = None
) -> str:
    """Every field of a collection, each under a comment with its title and description.

    Given values are filled in; the others are left empty (an empty field is "not given"),
    and list fields of sub-records show a commented example. `notes` adds comment lines
    under a field (a new meeting's expected attendees, left for the editor to confirm).
    """
    model = COLLECTIONS[collection].model
    lines = [f"# yaml-language-server: $schema={schema}"] if schema else []
    lines.append(f"# {COLLECTIONS[collection].label}记录。空着的字段可以不填；“#”后面是说明，不影响记录。")
    for name, info in model.model_fields.items():
        key = info.alias or name
        required = "（必填）" if info.is_required() else ""
        lines.append(f"# {info.title}{required}：{info.description}")
        value = values.get(key)
        if value not in (None, [], {}):
            lines.extend(dump({key: value}))
        elif submodel(info.annotation) is not None and is_list(info.annotation):
            lines.append(f"{key}:")
            lines.extend(f"#   {line}" for line in dump((info.examples or [[]])[0], 0))
        else:
            lines.append(f"{key}:")
        lines.extend(f"#   {line}" for line in (notes or {}).get(key, []))
    return "\n".join(lines) + "\n"


def record_text(data: dict[str, Any]) -> str:
    return "\n".join(dump(data)) + "\n"


def free_id(folder: Path, base: str) -> str:
    """base, or base-2, base-3 ... whichever no file in the collection (any sub-folder) uses."""
    base = re.sub(r"[^a-z0-9-]+", "-", base.lower()).strip("-")[:72] or "record"
    taken = {p.stem for p in folder.rglob("*.y*ml")} if folder.exists() else set()
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    assert ID_PATTERN.match(candidate)
    return candidate


def write_new(path: Path, text: str) -> None:
    """Create path with text; never overwrite an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)


# ---------------------------------------------------------------- zhibu new

KINDS = {  # CLI word -> collection
    "meeting": "meetings",
    "honour": "honours",
    "achievement": "achievements",
    "activity": "activities",
    "project": "projects",
    "assessment": "assessments",
    "person": "people",
    "org": "orgs",
}
DATED_FOLDERS = conventions.DATED


@dataclass(frozen=True)
class NewOptions:
    today: date
    org: str | None = None
    title: str | None = None
    type: str | None = None
    record_id: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class NewRecord:
    path: Path
    same_period: list[Record]  # meetings of that org and type already held in the period


def new_record(content: Path, kind: str, archive: Archive | None, options: NewOptions) -> NewRecord:
    """Write a skeleton record where the archive's conventions put it (see conventions.py)."""
    collection = KINDS[kind]
    org = archive.get("orgs", options.org) if archive and options.org else None
    kind_value = MEETING_TYPES.canonical(options.type or "支委会") if collection == "meetings" else options.type
    taken = {p.stem for p in (content / collection).rglob("*.y*ml")} if (content / collection).exists() else set()
    proposal = conventions.propose(
        archive, collection, org=org.id if org else options.org, kind=kind_value, day=options.today, taken=taken
    )
    record_id = options.record_id or proposal.record_id
    if not ID_PATTERN.match(record_id):
        raise ValueError(f"编号“{record_id}”无效：只能用小写字母、数字和连字符")
    if record_id in taken:
        raise FileExistsError(f"编号“{record_id}”已被使用")
    folder = content / proposal.folder
    values, notes = starting_values(collection, archive, org, options, kind_value, proposal.title)
    schema = content.parent / "schemas" / f"{collection}.schema.json"
    reference = os.path.relpath(schema, folder) if schema.is_file() else None
    path = folder / f"{record_id}.yaml"
    write_new(path, skeleton(collection, values, reference, notes))
    covered = conventions.covers(kind_value, options.today)
    counts_on = date(int(covered), 1, 1) if covered else options.today  # the period the meeting counts for
    same = conventions.same_period(archive, org.id, str(kind_value), counts_on) if archive and org else []
    return NewRecord(path, same if collection == "meetings" else [])


def starting_values(
    collection: str, archive: Archive | None, org: Any, o: NewOptions, kind: Any, title: str | None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """A new record's values to fill in, and comment lines under fields (a meeting's expected
    attendees): what `zhibu new` writes and the browser editor starts from."""
    day, month = o.today.isoformat(), o.today.strftime("%Y-%m")
    org_id = org.id if org else o.org
    if collection == "meetings":
        covered = conventions.covers(kind, o.today)
        values = {"type": kind, "title": o.title or title, "org": org_id, "date": day, "covers": covered}
        expected = expected_attendees(archive, org_id, kind, o.today) if archive and org else []
        people = [archive.records["people"][p] for p in expected] if archive else []
        notes = ["应到（供参考，出席的人写在 attendees 下，缺席的写进 absent 并注明原因）："]
        notes += [f"  - {p.id}    # {p.data.name}" for p in people]
        found = {"attendees": notes} if people else {}
        if covered:
            found["covers"] = [
                f"一二月召开的{kind}通常是上一年度的，三会一课计入 {covered} 年；",
                f"若是 {o.today.year} 年度的会议，删去 covers 这一行，并改标题中的年份。",
            ]
        return values, found
    if collection == "people":
        membership = [{"org": org_id, "from": day}] if org_id else []
        return {"name": o.name, "status": "正式党员", "memberships": membership}, {}
    if collection == "orgs":
        return {"name": o.name or o.title, "kind": o.type, "parent": org_id}, {}
    if collection == "assessments":
        return {"scheme": o.type or "双百", "period": month, "subject": {"org": org_id} if org_id else None}, {}
    if collection == "projects":
        return {"title": o.title, "kind": o.type, "start": month, "org": org_id}, {}
    date_value = day if collection == "activities" else month
    type_key = {"honours": "level", "achievements": "category", "activities": "kind"}[collection]
    values = {"title": o.title or title, type_key: o.type, "date": date_value}
    if collection == "honours":
        values["recipients"] = [{"org": org_id}] if org_id else None
    else:
        values["org"] = org_id
    return values, {}


def expected_attendees(archive: Archive, org_id: str, kind: Any, day: date) -> list[str]:
    """应到: the ids of the people expected at an org's meeting of this type on this day."""
    if kind == "支委会":
        return archive.committee_on(org_id, day)
    if kind == "其他":
        return []
    return archive.members_on(archive.subtree(org_id), day)


# ---------------------------------------------------------------- zhibu init

INIT_README = """# 党建档案

本仓库用 [zhibu（支部档案）](https://pypi.org/project/zhibu/) 管理党组织的组织生活记录。

## 怎样添加一条记录

1. 新建会议记录：`zhibu new meeting --org {org}`（会自动填好日期、标题和应到人员），
   然后打开它打印出的文件，按每个字段上方的说明填写。
2. 检查：`zhibu check`。每个问题一行，格式是“文件:行号: 字段: 说明”，按提示修改后再检查。
3. 预览：`zhibu serve`，浏览器打开 http://127.0.0.1:8000 。
4. 提交到 git。每个克隆做一次：在运行 zhibu 的虚拟环境里（先激活它，见 zhibu 的 README“安装”一节；
   不要直接用系统的 pip）执行 `python -m pip install pre-commit`，再在本目录执行 `pre-commit install`。
   之后有错误的记录无法提交。

## 在编辑器里边写边检查

用 VS Code 打开本目录，安装 “YAML”（Red Hat）扩展：输入字段名时会自动提示，
鼠标悬停显示中文说明，写错时标红。字段的完整说明见 schemas/ 下的文件。
"""


def init_archive(root: Path, today: date) -> list[Path]:
    """A new archive that passes `zhibu check`: one branch, its secretary, one committee meeting."""
    from generator.editing.schema import schemas

    if (root / "content").exists():
        raise FileExistsError(f"{root / 'content'} 已存在")
    day = today.isoformat()
    files: dict[str, str] = {
        "content/archive.yaml": record_text(
            {"name": "党支部档案", "owner": "zhibu", "description": "本支部的组织生活档案。"}
        ),
        "content/orgs/zhibu.yaml": record_text(
            {"name": "第一党支部", "kind": "党支部", "officers": [{"person": "shuji", "role": "书记", "from": day}]}
        ),
        "content/people/shuji.yaml": record_text(
            {"name": "支部书记", "status": "正式党员", "memberships": [{"org": "zhibu", "from": day}]}
        ),
        f"content/meetings/{today.year}/zhibu-zwh-{day}.yaml": skeleton(
            "meetings",
            {
                "type": "支委会",
                "title": f"第一党支部{today.year}年{today.month}月支委会",
                "org": "zhibu",
                "date": day,
                "time": "14:30-15:30",
                "location": "支部活动室",
                "host": "shuji",
                "recorder": "shuji",
                "attendees": ["shuji"],
                "agenda": [{"title": "学习《中国共产党支部工作条例（试行）》", "kind": "学习"}],
                "summary": "示例会议记录，可以修改或删除。",
            },
            "../../../schemas/meetings.schema.json",
        ),
        "content/pages/about.md": "# 关于本档案\n\n在这里介绍本档案的范围和维护方式。\n",
        "README.md": INIT_README.format(org="zhibu"),
        ".gitignore": "site/\n.zhibu/\n.venv/\nledgers/\n",
        ".vscode/settings.json": json.dumps({"yaml.schemas": editor_schemas()}, ensure_ascii=False, indent=2) + "\n",
        ".pre-commit-config.yaml": PRE_COMMIT_CONFIG,
    }
    files.update({f"schemas/{name}": text for name, text in schemas().items()})
    written = []
    for rel, text in files.items():
        write_new(root / rel, text)
        written.append(root / rel)
    return written


def editor_schemas() -> dict[str, list[str] | str]:
    """yaml-language-server's mapping from schema files to record files."""
    mapping: dict[str, list[str] | str] = {"./schemas/archive.schema.json": "content/archive.yaml"}
    for name in COLLECTIONS:
        mapping[f"./schemas/{name}.schema.json"] = [f"content/{name}/**/*.yaml", f"content/{name}/**/*.yml"]
    return mapping


PRE_COMMIT_CONFIG = """# Runs `zhibu check` before every commit that touches content/.
# Once per clone, in zhibu's activated venv: python -m pip install pre-commit && pre-commit install
repos:
  - repo: local
    hooks:
      - id: zhibu-check
        name: zhibu check（检查档案记录）
        entry: zhibu check --quiet
        language: system
        pass_filenames: false
        files: ^content/
"""
