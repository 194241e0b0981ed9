"""A meeting's 议程, 决议 and 会后落实 as one line per item: the in-cell text of the meetings ledger.

`zhibu export` writes these lines and `zhibu import` reads them back, so both sides live here:

    1. 研究电解液净化工作（讨论）
    1. 同意成立攻关小组（赞成 3，反对 0，弃权 0）
    1. 制定净化措施（责任人：王强；期限：2026-04-23；状态：已完成；完成：2026-04-23）

What an item carries beyond these (an agenda item's notes, an action's result) stays in the record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from generator.vocab import AGENDA_KINDS

VOTES = (("for", "赞成"), ("against", "反对"), ("abstain", "弃权"))
ACTION_FIELDS = (("owner", "责任人"), ("due", "期限"), ("status", "状态"), ("done", "完成"))

_NUMBER = re.compile(r"^\s*(?:\d+\s*[.、．)）]|[（(]\d+[)）])\s*")
_TAIL = re.compile(r"^(?P<text>.*?)\s*[（(](?P<inner>[^（）()]*)[）)]\s*$")
_PARTS = re.compile(r"\s*[，,；;]\s*")
_VOTE = re.compile(rf"^({'|'.join(word for _, word in VOTES)})\s*[:：]?\s*(\d+)\s*票?$")
_FIELD = re.compile(rf"^({'|'.join(word for _, word in ACTION_FIELDS)})\s*[:：]\s*(.+)$")


def _numbered(lines: Sequence[str]) -> str:
    return "\n".join(f"{n}. {line}" for n, line in enumerate(lines, start=1))


def _with_tail(text: str, parts: Sequence[str], sep: str) -> str:
    return f"{text}（{sep.join(parts)}）" if parts else text


def agenda_text(items: Sequence[Any]) -> str:
    return _numbered([_with_tail(i.title, [i.kind] if i.kind else [], "") for i in items])


def decisions_text(items: Sequence[Any]) -> str:
    lines = []
    for d in items:
        votes = d.votes.model_dump(by_alias=True) if d.votes else {}
        lines.append(
            _with_tail(d.text, [f"{word} {votes[key]}" for key, word in VOTES if votes.get(key) is not None], "，")
        )
    return _numbered(lines)


def actions_text(items: Sequence[Any], name: Callable[[str | None], str]) -> str:
    lines = []
    for a in items:
        values = {"owner": name(a.owner) if a.owner else None, "due": a.due, "status": a.status, "done": a.done}
        parts = [f"{word}：{_plain(values[key])}" for key, word in ACTION_FIELDS if values[key]]
        lines.append(_with_tail(a.task, parts, "；"))
    return _numbered(lines)


def _plain(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


# ---------------------------------------------------------------- reading back


def _lines(text: str) -> list[str]:
    return [_NUMBER.sub("", line).strip() for line in text.splitlines() if _NUMBER.sub("", line).strip()]


def _tail(line: str, read: Callable[[str], dict[str, str] | None]) -> tuple[str, dict[str, str]]:
    """A line's text and what its closing bracket says, when `read` understands the bracket."""
    match = _TAIL.match(line)
    found = read(match.group("inner")) if match and match.group("text") else None
    return (match.group("text"), found) if match and found is not None else (line, {})


def _pairs(inner: str, pattern: re.Pattern[str], keys: Sequence[tuple[str, str]]) -> dict[str, str] | None:
    by_word = {word: key for key, word in keys}
    out = {}
    for part in _PARTS.split(inner.strip()):
        match = pattern.match(part)
        if not match:
            return None
        out[by_word[match.group(1)]] = match.group(2).strip()
    return out


def read_agenda(text: str) -> list[dict[str, str]]:
    out = []
    for line in _lines(text):
        title, kind = _tail(line, lambda inner: {"kind": inner} if inner in AGENDA_KINDS.words else None)
        out.append({"title": title, **kind})
    return out


def read_decisions(text: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for line in _lines(text):
        decision, votes = _tail(line, lambda inner: _pairs(inner, _VOTE, VOTES))
        out.append({"text": decision, **({"votes": {k: int(v) for k, v in votes.items()}} if votes else {})})
    return out


def read_actions(text: str) -> list[dict[str, str]]:
    """Actions with owner, due and done as written; the importer resolves names and dates."""
    out = []
    for line in _lines(text):
        task, fields = _tail(line, lambda inner: _pairs(inner, _FIELD, ACTION_FIELDS))
        out.append({"task": task, **fields})
    return out
