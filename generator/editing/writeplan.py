"""Records about to be written from outside data (spreadsheets, full workbooks): proven safe first.

Paths are proven, not cleaned: an id must pass the same rule as a file name, and the
resolved path must stay inside the content folder (symlinked folders included). Then the
whole archive, with the new files laid over it, goes through the real check; a planned
file with an error is refused with the check's own reason. Only then is anything written.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, Severity
from generator.editing.scaffold import record_text
from generator.model import ID_PATTERN
from generator.stages import privacy
from generator.stages.load import Content, RawRecord, load, raw_record
from generator.stages.resolve import resolve
from generator.stages.validate import validate

ID_RULE = "只能用小写字母、数字和连字符，以字母或数字开头，最长 80 个字符"


class UnsafePath(ValueError):
    """An id or path that would leave the content folder or break the id rule."""


@dataclass(frozen=True)
class Planned:
    """One record to write: new (old is None) or a changed existing file."""

    collection: str  # "archive" or a key of COLLECTIONS
    id: str
    path: Path  # resolved, proven inside the content folder
    data: dict[str, Any]
    source: str  # where it came from, for messages: "第 5 行" or "会议 第 3 行"
    old: str | None = None  # the existing file's text when this is an update

    @property
    def text(self) -> str:
        return record_text(self.data)

    def diff(self, root: Path) -> str:
        rel = self.path.relative_to(root.resolve()).as_posix()
        lines = difflib.unified_diff(
            (self.old or "").splitlines(), self.text.splitlines(), f"{rel}（原）", f"{rel}（新）", lineterm="", n=1
        )
        return "\n".join(lines)


def check_id(record_id: str) -> None:
    if not ID_PATTERN.match(record_id):
        raise UnsafePath(f"编号“{record_id}”无效：{ID_RULE}")


def prove_inside(root: Path, path: Path) -> Path:
    """path resolved (symlinks followed), or UnsafePath when it is not inside root."""
    real_root = root.resolve()
    real = path.resolve()
    if real_root not in real.parents:
        raise UnsafePath(f"写入位置 {path} 不在档案目录 {root} 之内，已拒绝")
    return real


def target(root: Path, folder: str, record_id: str) -> Path:
    """The proven path of record_id in folder (content-relative, as conventions.propose gives it)."""
    check_id(record_id)
    if folder == "" and record_id == "archive":
        return prove_inside(root, root / "archive.yaml")
    return prove_inside(root, root / folder / f"{record_id}.yaml")


def _errors(content: Content, raws: list[RawRecord]) -> list[Diagnostic]:
    validated, problems = validate(raws)
    allowlist = validated.archive.data.pii_allowlist if validated.archive else []
    problems += privacy.scan(raws, [], allowlist)
    _, more = resolve(validated, replace(content, records=raws))
    return [d for d in problems + more if d.severity is Severity.ERROR]


def refusals(root: Path, planned: list[Planned], content: Content | None = None) -> dict[Path, list[Diagnostic]]:
    """The errors `zhibu check` would report once the planned files are written: in a planned
    file, or new in an existing file because of a planned one (a second 张伟 makes every
    “张伟” elsewhere ambiguous) — blamed on the planned records its message names."""
    content = content or load(root)
    real_root = root.resolve()
    rel = {p.path: p.path.relative_to(real_root).as_posix() for p in planned}
    replaced = {p.path for p in planned if p.old is not None}
    raws = [r for r in content.records if (root / r.file).resolve() not in replaced]
    before = {(d.file, d.field, d.message) for d in _errors(content, raws)}
    for item in planned:
        raws.append(raw_record(item.collection, item.id, rel[item.path], item.text))
    by_file = {v: k for k, v in rel.items()}
    out: dict[Path, list[Diagnostic]] = {}
    for d in sorted(_errors(content, raws)):
        path = by_file.get(d.file)
        if path is not None:
            out.setdefault(path, []).append(d)
        elif (d.file, d.field, d.message) not in before:
            words = set(re.split(r"[、，,：:“”\s]+", d.message))
            blamed = [p.path for p in planned if p.id in words or p.data.get("name") in words] or list(rel)
            for path in blamed:
                out.setdefault(path, []).append(
                    replace(d, field="", message=f"会使已有记录 {d.file} 出错：{d.message}")
                )
    return out


def settle(root: Path, planned: list[Planned]) -> tuple[list[Planned], list[tuple[Planned, list[Diagnostic]]]]:
    """Drop planned records that would fail the check, again until the rest all pass.

    A refused record can leave another one dangling (a meeting of an org that is
    refused), so the check runs until nothing more is refused.
    """
    content = load(root) if root.is_dir() else Content(root=root)
    kept, refused = list(planned), []
    while kept:
        bad = refusals(root, kept, content)
        if not bad:
            break
        refused += [(p, bad[p.path]) for p in kept if p.path in bad]
        kept = [p for p in kept if p.path not in bad]
    return kept, refused


def write(planned: Iterable[Planned], root: Path) -> list[Path]:
    """Write each planned record; new files are created exclusively (never overwrite)."""
    written = []
    for item in planned:
        path = prove_inside(root, item.path)  # again: a folder may have changed since planning
        path.parent.mkdir(parents=True, exist_ok=True)
        prove_inside(root, path.parent / path.name)
        if item.old is None:
            with path.open("x", encoding="utf-8") as handle:
                handle.write(item.text)
        else:
            path.write_text(item.text, encoding="utf-8")
        written.append(path)
    return written
