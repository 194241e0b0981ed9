"""Personal identifiers pasted into free text: ID-card and mobile numbers are errors,
e-mail and street addresses warnings. An allowlist in archive.yaml handles false positives.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.diagnostics import Diagnostic, error, warning
from generator.stages.cache import WorkCache
from generator.stages.load import Loc, Page, RawRecord

_ID_CARD = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_ADDRESS = re.compile(
    r"[\u4e00-\u9fff]{1,12}(?:路|街|大道|巷|弄)[0-9一二三四五六七八九十百]+号"
    r"|[0-9一二三四五六七八九十]+(?:栋|幢|号楼)[0-9一二三四五六七八九十]*(?:单元)?[0-9]*(?:室|号)?"
)
# Every address match holds one of these (a street number ends in 号; a building is 栋, 幢 or 号楼): a
# text without them skips the address pattern, the slowest of the four on Chinese text.
_ADDRESS_MARKS = ("号", "栋", "幢")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def valid_id_card(number: str) -> bool:
    """GB 11643 check digit."""
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == number[17].upper()


def findings(text: str, allowed: frozenset[str]) -> Iterator[tuple[bool, str, int]]:
    """(is_error, message, offset in text) for every personal identifier in text."""
    for match in _ID_CARD.finditer(text):
        if valid_id_card(match.group()) and match.group() not in allowed:
            yield True, "疑似身份证号码，个人身份信息不得写入档案", match.start()
    for match in _MOBILE.finditer(text):
        if match.group() not in allowed:
            yield True, "疑似手机号码，个人联系方式不得写入档案", match.start()
    for match in _EMAIL.finditer(text) if "@" in text else ():
        if match.group() not in allowed:
            yield False, f"疑似电子邮箱“{match.group()}”，确需公开请加入 archive.yaml 的 pii_allowlist", match.start()
    for match in _ADDRESS.finditer(text) if any(mark in text for mark in _ADDRESS_MARKS) else ():
        if match.group() not in allowed:
            yield False, f"疑似住址“{match.group()}”，确需公开请加入 archive.yaml 的 pii_allowlist", match.start()


def scan(
    records: list[RawRecord],
    pages: list[Page],
    allowlist: list[str],
    cache: WorkCache | None = None,
    sources: dict[str, bytes] | None = None,
) -> list[Diagnostic]:
    """Every personal identifier in records and pages. With a cache and the records' source
    digests (Content.sources), a record file scanned before with the same allowlist is not
    scanned again."""
    allowed = frozenset(allowlist)
    found: list[Diagnostic] = []
    allowed_key = "\0".join(sorted(allowed))
    for record in records:
        digest = (sources or {}).get(record.file)
        if cache is None or digest is None:
            found += _record_findings(record, allowed)
            continue
        plain = cache.get(
            f"privacy {record.file}",
            f"{digest.hex()}\0{allowed_key}",
            lambda record=record: [d.plain() for d in _record_findings(record, allowed)],
        )
        found += [Diagnostic.from_plain(d) for d in plain]
    for page in pages:
        for number, line in enumerate(page.text.split("\n"), start=1):
            for is_error, message, _ in findings(line, allowed):
                found.append((error if is_error else warning)(page.file, number, "", message))
    return found


def _record_findings(record: RawRecord, allowed: frozenset[str]) -> list[Diagnostic]:
    strings = list(_strings(record.data, ()))
    # No pattern matches across a line break: one pass over the record's text finds
    # whether any of its values needs looking at.
    if not any(findings("\n".join(text for _, text in strings), allowed)):
        return []
    found = []
    for loc, text in strings:
        field = ".".join(map(str, loc))
        for is_error, message, at in findings(text, allowed):
            make = error if is_error else warning
            found.append(make(record.file, record.line_at(loc, at), field, message))
    return found


def _strings(value: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*loc, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*loc, i))
    elif isinstance(value, str):
        yield loc, value
