"""Issue 13's "done means": the public 三会一课 ledger, `zhibu check` and `zhibu export` agree on
every cell, for the demo and for an archive where most meetings are restricted.

Each side is read the way a person meets it: the built site's HTML matrix and yearly summary,
the warnings `zhibu check` prints, and the 三会一课 sheet of the workbook `zhibu export` writes.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from conftest import DEMO, write_archive, zhibu

from generator.vocab import MEETING_TYPES

TODAY = "2024-03-31"
ARCHIVE = "name: 测试档案\nowner: dzz\nsince: 2023-01\n"
PEOPLE = ["zhang", "li"]


def _meeting(kind: str, org: str, day: str, restricted: bool, extra: str = "") -> str:
    return (
        f"type: {kind}\ntitle: {org}{day}{kind}\norg: {org}\ndate: {day}\nhost: zhang\nrecorder: li\n"
        + ("lecturer: 张伟\n" if kind == "党课" else "")
        + "attendees:\n"
        + "".join(f"  - {p}\n" for p in PEOPLE)
        + ("visibility: 受限\n" if restricted else "")
        + extra
    )


def restricted_heavy() -> dict[str, str]:
    """2023 and the first quarter of 2024: most meetings held, three in four of them restricted,
    some periods missing; the annual reviews for 2023 are held in January 2024 (one restricted)."""
    files = {"archive.yaml": ARCHIVE}
    number = 0

    def add(kind: str, org: str, day: str, extra: str = "", restricted: bool | None = None) -> None:
        nonlocal number
        number += 1
        hidden = number % 4 != 0 if restricted is None else restricted
        files[f"meetings/m{number:03d}.yaml"] = _meeting(kind, org, day, hidden, extra)

    for year, months in ((2023, range(1, 13)), (2024, range(1, 4))):
        for month in months:
            if month != 5:  # May: no 支委会
                add("支委会", "zb", f"{year}-{month:02d}-05")
            if month % 3 != 2:  # every second month of a quarter: no 主题党日
                add("主题党日", "zb", f"{year}-{month:02d}-12")
            if month != 7:
                add("党小组会", "xz", f"{year}-{month:02d}-20")
            if month % 3 == 0 and (year, month) != (2023, 6):
                add("党员大会", "zb", f"{year}-{month:02d}-25")
                add("党课", "zb", f"{year}-{month:02d}-26")
    add("组织生活会", "zb", "2024-01-15", "covers: 2023\n", restricted=False)
    add("民主评议党员", "zb", "2024-01-16", "covers: 2023\n", restricted=True)
    return files


@dataclass(frozen=True)
class Cell:
    status: str
    links: int  # ✓ with a link to the record
    restricted: int  # ✓受限, no link


def site_cells(site: Path) -> tuple[dict[tuple[str, str], Cell], dict[tuple[str, int], tuple[int, int]]]:
    """The compliance page as read: (org, "2023年第1季度党员大会") -> cell; (org, year) -> (held, required)."""
    page = (site / "ledgers" / "compliance" / "index.html").read_text(encoding="utf-8")
    cells = {}
    sections = re.split(r"<h2 id=\"[^\"]*\">([^<]*)</h2>", page)
    for name, section in zip(sections[1::2], sections[2::2], strict=True):
        for status, title, inner in re.findall(r'class="zhibu-cell (\w+)" title="([^"]*)">(.*?)</td>', section):
            restricted = inner.count("✓受限")
            cells[(html.unescape(name), html.unescape(title))] = Cell(status, inner.count("✓") - restricted, restricted)
    summary = {}
    for org, year, held, required in re.findall(
        r"<tr>\s*<td><a [^>]*>([^<]*)</a></td>\s*<td>(\d{4})</td>\s*<td[^>]*>(\d+) / (\d+)</td>", page
    ):
        summary[(html.unescape(org), int(year))] = (int(held), int(required))
    return cells, summary


def check_missing(content: Path, *today: str) -> set[tuple[str, str]]:
    """(org name, "2023年5月支委会") for every 未召开 warning of `zhibu check`."""
    result = zhibu("check", "--content", content, *today)
    assert result.returncode == 0, result.stdout + result.stderr
    names = {p.stem: re.search(r"^name: (.*)$", p.read_text(encoding="utf-8"), re.M) for p in content.glob("orgs/*")}
    found = set()
    for file, period, kind in re.findall(r"orgs/([\w-]+)\.yaml:1: 警告: (\S+?)未召开(\S+?)（要求", result.stdout):
        found.add((names[file].group(1), period + kind))  # type: ignore[union-attr]
    return found


def export_rows(content: Path, out: Path, *today: str) -> dict[tuple[str, str, int], dict[str, object]]:
    """The 三会一课 sheet of `zhibu export`, by its header row: (org, type, year) -> {header: value}."""
    result = zhibu("export", "--content", content, "--out", out, *today)
    assert result.returncode == 0, result.stdout + result.stderr
    sheet = openpyxl.load_workbook(out / "三会一课.xlsx").worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(rows) if r[:2] == ["组织", "会议类型"])
    header = rows[header_at]
    found = {}
    for values in rows[header_at + 1 :]:
        row = dict(zip(header, values, strict=True))
        found[(str(row["组织"]), str(row["会议类型"]), int(row["年度"]))] = row  # type: ignore[arg-type]
    return found


def assert_agree(site: Path, content: Path, out: Path, *today: str) -> dict[tuple[str, str], Cell]:
    cells, summary = site_cells(site)
    assert cells, "no compliance cells on the site"
    site_missing = {key for key, cell in cells.items() if cell.status == "missing"}
    assert check_missing(content, *today) == site_missing
    exported = export_rows(content, out, *today)
    by_row: dict[tuple[str, str, int], list[tuple[str, Cell]]] = {}
    for (org, title), cell in cells.items():
        year = int(title[:4])
        kind = next(k for k in MEETING_TYPES.words if title.endswith(k))
        by_row.setdefault((org, kind, year), []).append((title.removesuffix(kind), cell))
    assert set(by_row) == set(exported)
    held_by_year: Counter[tuple[str, int]] = Counter()
    required_by_year: Counter[tuple[str, int]] = Counter()
    for key, row_cells in by_row.items():
        row = exported[key]
        statuses = Counter(cell.status for _, cell in row_cells)
        assert (row["已召开"], row["应召开"]) == (statuses["held"], statuses["held"] + statuses["missing"]), key
        periods = [p for p in str(row["未召开期间"] or "").split("、") if p]
        assert len(periods) == statuses["missing"], (key, row)
        ids = [i for i in str(row["会议编号"] or "").split("、") if i]
        assert ids.count("受限") == sum(c.restricted for _, c in row_cells), key
        assert len(ids) == sum(c.links + c.restricted for _, c in row_cells), key
        held_by_year[(key[0], key[2])] += statuses["held"]
        required_by_year[(key[0], key[2])] += statuses["held"] + statuses["missing"]
    for (org, year), (held, required) in summary.items():
        assert (held, required) == (held_by_year[(org, year)], required_by_year[(org, year)]), (org, year)
    return cells


def test_a_restricted_heavy_archive_agrees_on_every_cell(tmp_path: Path) -> None:
    content = write_archive(tmp_path, restricted_heavy())
    today = ("--today", TODAY)
    built = zhibu("build", "--content", content, "--site", tmp_path / "site", *today)
    assert built.returncode == 0, built.stdout + built.stderr
    cells = assert_agree(tmp_path / "site", content, tmp_path / "ledgers", *today)
    # and what they agree on is right: restricted meetings count, the gaps are the ones left out
    missing = {key for key, cell in cells.items() if cell.status == "missing"}
    assert missing == {
        ("第一党支部", "2023年5月支委会"),
        ("第一党支部", "2023年第2季度党员大会"),
        ("第一党支部", "2023年第2季度党课"),
        ("甲班党小组", "2023年7月党小组会"),
        *(("第一党支部", f"{y}年{m}月主题党日") for y, months in ((2023, (2, 5, 8, 11)), (2024, (2,))) for m in months),
    }
    restricted = sum(cell.restricted for cell in cells.values())
    assert restricted >= 2 * sum(cell.links for cell in cells.values())  # three in four are restricted
    assert cells[("第一党支部", "2023年组织生活会")] == Cell("held", 1, 0)  # covers 2023, held in 2024
    assert cells[("第一党支部", "2023年民主评议党员")] == Cell("held", 0, 1)
    assert cells[("第一党支部", "2024年第1季度党员大会")].status == "held"
    assert cells[("第一党支部", "2024年组织生活会")].status == "pending"


def test_the_demo_agrees_on_every_cell(demo_site: Path, tmp_path: Path) -> None:
    assert_agree(demo_site, DEMO, tmp_path / "ledgers")
