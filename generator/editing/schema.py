"""JSON Schema (draft 2020-12) and the field reference, both from the record models.

`zhibu schema` writes one schema per collection so yaml-language-server (the VS
Code YAML extension and others) completes field names, shows the Chinese help on
hover and flags mistakes while typing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, get_args

from pydantic import AfterValidator
from pydantic.fields import FieldInfo

from generator.model import ARCHIVE, COLLECTIONS, EARLIEST_YEAR, HAPPENED, PLANNED, Collection, Horizon, Model
from generator.stages.validate import is_list, submodel

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def schema(collection: Collection) -> dict[str, Any]:
    found = collection.model.model_json_schema(by_alias=True, mode="validation")
    found["$schema"] = DRAFT
    found["title"] = f"{collection.label}记录"
    found["description"] = f"zhibu 档案 content/{collection.name}/ 下的一条{collection.label}记录"
    return found


def schemas() -> dict[str, str]:
    """file name -> JSON text, for every collection and archive.yaml."""
    every = [*COLLECTIONS.values(), ARCHIVE]
    return {
        f"{c.name}.schema.json": json.dumps(schema(c), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        for c in every
    }


def _walk(model: type[Model], prefix: str = "") -> Iterator[tuple[str, FieldInfo]]:
    """(path, field) for every field, sub-fields included."""
    for name, info in model.model_fields.items():
        key = f"{prefix}{info.alias or name}"
        yield key, info
        inner = submodel(info.annotation)
        if inner is not None:
            yield from _walk(inner, f"{key}[]." if is_list(info.annotation) else f"{key}.")


def field_rows(model: type[Model], prefix: str = "") -> list[tuple[str, str, bool, str, str]]:
    """(path, title, required, description, example) for every field, sub-fields included."""
    return [
        (key, info.title or "", info.is_required(), info.description or "", _example(info))
        for key, info in _walk(model, prefix)
    ]


def _example(info: FieldInfo) -> str:
    return json.dumps((info.examples or [""])[0], ensure_ascii=False)


def horizon(annotation: Any) -> Horizon | None:
    """The date range a field's type checks, if it is a date."""
    for item in getattr(annotation, "__metadata__", ()):
        if isinstance(item, AfterValidator) and isinstance(item.func, Horizon):
            return item.func
    return next((found for arg in get_args(annotation) if (found := horizon(arg))), None)


def _date_rule() -> str:
    planned = []
    for collection in [ARCHIVE, *COLLECTIONS.values()]:
        keys = [f"`{key}`" for key, info in _walk(collection.model) if horizon(info.annotation) is PLANNED]
        if keys:
            planned.append(f"{collection.label} {'、'.join(keys)}")
    return (
        f"日期的年份不早于 {EARLIEST_YEAR} 年（中国共产党成立之年）。计划中的日期（{'；'.join(planned)}）"
        f"不晚于今天起{PLANNED.words}，其余日期记已经发生或即将发生的事，不晚于今天起{HAPPENED.words}；"
        "超出的是 `zhibu check` 的错误，多半是年份写错了。"
    )


def field_reference() -> str:
    """The field reference in Markdown (published as a help page and kept in docs/)."""
    lines = [
        "# 字段参考",
        "",
        "由记录定义自动生成，与校验规则、JSON Schema 一致。",
        "",
        "标明“可用 Markdown”的字段：HTML 标签和 `&lt;` 这类写法原样显示为文字；链接只能是 http://、https://、"
        "mailto: 开头的网址或站内相对路径（如 files/2025/签到表.pdf），图片只能用站内相对路径，"
        "其他写法是 `zhibu check` 的错误。",
        "",
        _date_rule(),
        "",
    ]
    for collection in [ARCHIVE, *COLLECTIONS.values()]:
        where = {
            "archive": "content/archive.yaml",
            "orgs": "content/orgs/<编号>.yaml",
            "people": "content/people/<编号>.yaml",
        }.get(collection.name, f"content/{collection.name}/**/<编号>.yaml")
        lines += [
            f"## {collection.label}（`{where}`）",
            "",
            "| 字段 | 名称 | 必填 | 说明 | 示例 |",
            "|---|---|---|---|---|",
        ]
        for key, title, required, description, example in field_rows(collection.model):
            cell = example.replace("|", "\\|")
            lines.append(f"| `{key}` | {title} | {'是' if required else ''} | {description} | `{cell}` |")
        lines.append("")
    return "\n".join(lines)
