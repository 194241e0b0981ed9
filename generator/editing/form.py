"""What the browser editor needs to draw a form: fields, pickers' choices, a new record's values.

The form is described from the record models themselves (the source of the JSON Schema and
FIELDS.md), walked the way resolve walks them: a field's Chinese title and help, its widget
(text, Markdown, date, time, choice of the vocabulary's canonical words, person/org picker,
attachment, number, list, group of sub-fields) and whether it is required. No `$ref`s: sub-
records are written out in place, so the browser needs no schema resolver.
"""

from __future__ import annotations

import types
from datetime import date
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import PlainValidator

from generator import model as m
from generator.editing import conventions
from generator.editing.scaffold import NewOptions, expected_attendees, starting_values
from generator.model import COLLECTIONS, Attachment, MarkdownSyntax, Model, Ref
from generator.stages.resolve import Archive
from generator.vocab import MEETING_TYPES

_PARSED = {
    m._parse_date: "date",
    m.parse_partial_date: "partial-date",
    m._parse_time: "time",
    m._parse_period: "period",
    m.parse_covers: "period",
}
_HINTS = {"partial-date": "如 2021、2021-06 或 2021-06-18", "time": "如 14:30 或 14:30-16:00", "period": "如 2025-03"}


def fields(model: type[Model]) -> list[dict[str, Any]]:
    """Every field of model as the form draws it, in the model's order."""
    out = []
    for name, info in model.model_fields.items():
        widget = _widget(info.annotation, tuple(info.metadata))
        out.append(
            {
                "key": info.alias or name,
                "title": info.title or name,
                "help": info.description or "",
                "required": info.is_required(),
                **widget,
            }
        )
    return out


def _widget(tp: Any, metadata: tuple[Any, ...]) -> dict[str, Any]:
    for item in metadata:
        if isinstance(item, Ref):
            return {"widget": "ref", "ref": item.collection, "free": item.free}
        if isinstance(item, Attachment):
            return {"widget": "attachment"}
        if isinstance(item, PlainValidator) and item.func in _PARSED:
            kind = _PARSED[item.func]
            return {"widget": kind, "hint": _HINTS.get(kind, "")}
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return _widget(args[0], (*metadata, *tp.__metadata__))
    if origin in (Union, types.UnionType):
        real = [a for a in args if a is not type(None)]
        return _widget(real[0], metadata) if len(real) == 1 else {"widget": "text"}
    if origin is Literal:
        return {"widget": "choice", "choices": list(args)}
    if origin is list:
        return {"widget": "list", "item": _widget(args[0], ())}
    if origin is dict:
        return {"widget": "mapping"}  # archive.yaml's rules: not edited in the form
    if isinstance(tp, type) and issubclass(tp, Model):
        return {"widget": "group", "fields": fields(tp)}
    if tp is int or tp is float:
        return {"widget": "number", "integer": tp is int}
    markdown = any(isinstance(item, MarkdownSyntax) for item in metadata)
    return {"widget": "markdown" if markdown else "text"}


def form(collection: str) -> dict[str, Any]:
    c = COLLECTIONS[collection]
    return {"collection": collection, "label": c.label, "fields": fields(c.model)}


def choices(archive: Archive | None, today: date) -> dict[str, list[dict[str, str]]]:
    """The pickers' entries: people with what tells two of the same name apart, orgs, projects."""
    if archive is None:
        return {"people": [], "orgs": [], "projects": []}
    orgs = archive.records["orgs"]
    people = []
    for person in archive.records["people"].values():
        where = [orgs[ms.org].data.name for ms in person.data.memberships if ms.to is None and ms.org in orgs]
        roles = [
            f"{org.data.name}{o.role}"
            for org in orgs.values()
            for o in org.data.officers
            if archive.get("people", o.person) is person and (o.to is None or o.to >= today)
        ]
        homonyms = len(archive.people_by_name.get(person.data.name, [])) > 1
        people.append(
            {
                "id": person.id,
                "name": person.data.name,
                "detail": "，".join([*roles, *where, person.data.post or ""][:3]).strip("，"),
                "homonym": "1" if homonyms else "",
            }
        )
    return {
        "people": sorted(people, key=lambda p: (p["name"], p["id"])),
        "orgs": [{"id": o.id, "name": o.data.name, "detail": o.data.kind} for o in orgs.values()],
        "projects": [
            {"id": p.id, "name": p.data.title, "detail": p.data.kind} for p in archive.records["projects"].values()
        ],
    }


def new_values(
    archive: Archive | None, collection: str, taken: set[str], *, org: str | None, kind: str | None, day: date
) -> dict[str, Any]:
    """Folder, id and starting values of a new record, by the conventions `zhibu new` follows;
    for a meeting also 应到 (the expected attendees) of its org and type on its date."""
    if collection == "meetings":
        kind = MEETING_TYPES.canonical(kind or "支委会")
    found = archive.get("orgs", org) if archive and org else None
    proposal = conventions.propose(archive, collection, org=org, kind=kind, day=day, taken=taken)
    options = NewOptions(today=day, org=org, type=kind)
    values, _ = starting_values(collection, archive, found, options, kind, proposal.title)
    expected = (
        expected_attendees(archive, found.id, kind, day) if collection == "meetings" and archive and found else []
    )
    return {
        "folder": proposal.folder,
        "id": proposal.record_id,
        "values": {k: v for k, v in values.items() if v not in (None, [], {})},
        "expected": expected,
    }
