"""Archive conventions (generator/conventions.py) and `zhibu new` built on them."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import DEMO, check_at, write_archive, zhibu

from generator.editing.conventions import propose
from generator.pipeline import check
from generator.stages.resolve import Archive


@pytest.fixture(scope="module")
def demo() -> Archive:
    archive = check(DEMO, include_restricted=True).archive
    assert archive is not None
    return archive


@pytest.mark.parametrize(
    ("org", "kind", "day", "folder", "record_id", "title"),
    [
        (
            "yjl-zb",
            "支委会",
            date(2026, 12, 8),
            "meetings/2026/yjl",
            "yjl-zwh-2026-12",
            "阳极炉党支部2026年第12次支委会",
        ),
        ("zl-zb", "党课", date(2026, 12, 8), "meetings/2026/zl", "zl-dk-2026-q4", "转炉党支部2026年第四季度党课"),
        (
            "yjl-bd",
            "党小组会",
            date(2027, 1, 9),
            "meetings/2027/yjl",
            "yjl-bd-2027-01",
            "阳极炉丙丁班党小组2027年1月党小组会",
        ),
        ("dj-zb", "主题党日", date(2026, 12, 1), "meetings/2026/dj", "dj-ztdr-2026-12", "电解党支部2026年12月主题党日"),
    ],
)
def test_meeting_follows_the_archive(
    demo: Archive, org: str, kind: str, day: date, folder: str, record_id: str, title: str
) -> None:
    proposal = propose(demo, "meetings", org=org, kind=kind, day=day)
    assert (proposal.folder, proposal.record_id, proposal.title) == (folder, record_id, title)
    assert proposal.path == f"{folder}/{record_id}.yaml"


def test_numbering_counts_earlier_meetings_of_that_year(demo: Archive) -> None:
    # The demo holds 阳极炉 支委会 in Jan–Nov 2026 before the 8th of December: the new one is the 12th
    # (the parametrized case above). Back in April 2025, 第5次 is already the May meeting's title:
    # the new one takes the number after all twelve of 2025.
    assert propose(demo, "meetings", org="yjl-zb", kind="支委会", day=date(2025, 4, 20)).title == (
        "阳极炉党支部2025年第13次支委会"
    )


def test_ids_never_clash(demo: Archive) -> None:
    taken = {"yjl-zwh-2026-12"}
    first = propose(demo, "meetings", org="yjl-zb", kind="支委会", day=date(2026, 12, 8), taken=taken)
    assert first.record_id == "yjl-zwh-2026-12-2"
    existing = propose(demo, "meetings", org="yjl-zb", kind="支委会", day=date(2025, 3, 1))
    assert existing.record_id == "yjl-zwh-2025-03-2"  # the demo has yjl-zwh-2025-03


def test_people_get_the_next_running_number(demo: Archive) -> None:
    numbers = sorted(int(p.split("-")[1]) for p in demo.records["people"] if p.startswith("zl-"))
    proposal = propose(demo, "people", org="zl-jy")
    assert (proposal.folder, proposal.record_id) == ("people", f"zl-{numbers[-1] + 1:02d}")


def test_names_are_not_patterns(demo: Archive) -> None:
    # Project and honour ids are names (ldlc-yjl, quanguo-jiangongzhang): nothing to learn.
    assert propose(demo, "projects", org="yjl-zb", day=date(2026, 5, 1)).record_id == "project-2026-05"
    assert propose(demo, "honours", kind="省部级", day=date(2026, 5, 1)).folder == "honours/2026"


def test_an_empty_archive_gets_plain_defaults(tmp_path: Path) -> None:
    archive = check_at(write_archive(tmp_path)).archive
    proposal = propose(archive, "meetings", org="zb", kind="支委会", day=date(2023, 3, 8))
    assert (proposal.folder, proposal.record_id, proposal.title) == (
        "meetings/2023",
        "zb-zwh-2023-03-08",
        "第一党支部2023年3月支委会",
    )
    assert propose(None, "activities", day=date(2023, 3, 8)).path == "activities/2023/activity-2023-03.yaml"


# ---------------------------------------------------------------- zhibu new


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    shutil.copytree(DEMO, tmp_path / "content")
    return tmp_path


def test_new_meeting_in_the_demo(demo_copy: Path) -> None:
    made = zhibu("new", "meeting", "--org", "yjl-zb", "--type", "支委会", "--date", "2025-04-20", cwd=demo_copy)
    assert made.returncode == 0, made.stderr
    path = demo_copy / made.stdout.strip()
    assert path.relative_to(demo_copy).as_posix() == "content/meetings/2025/yjl/yjl-zwh-2025-04-2.yaml"
    text = path.read_text(encoding="utf-8")
    assert "title: 阳极炉党支部2025年第13次支委会" in text  # 第5次 is May's
    # 实到 stays empty: the committee is listed as a comment to copy from.
    assert "attendees:\n#   应到" in text and "#     - yjl-01    # 苏永刚" in text
    assert "注意：同一期间已有支委会：2025-04-05" in made.stderr and "yjl-zwh-2025-04.yaml" in made.stderr
    checked = zhibu("check", cwd=demo_copy)
    assert checked.returncode == 0, checked.stdout
    assert "yjl-zwh-2025-04-2.yaml" in checked.stdout and "应到人员" in checked.stdout  # forgotten 实到 warns


def test_new_finds_orgs_and_suggests(demo_copy: Path) -> None:
    by_name = zhibu("new", "meeting", "--org", "阳极炉生产线党支部", "--date", "2026-12-08", "-q", cwd=demo_copy)
    assert by_name.returncode == 0 and by_name.stdout.strip().endswith("yjl/yjl-zwh-2026-12.yaml")
    short = zhibu("new", "meeting", "--org", "阳极炉支部", "--date", "2026-12-09", "-q", cwd=demo_copy)
    assert short.returncode == 0 and short.stdout.strip().endswith("yjl/yjl-zwh-2026-12-2.yaml")
    typo = zhibu("new", "meeting", "--org", "阳极炉生产支部", cwd=demo_copy)
    assert typo.returncode == 2
    assert "找不到组织“阳极炉生产支部”，是不是“阳极炉生产线党支部”（yjl-zb）" in typo.stderr


def test_a_proposed_title_never_equals_an_existing_one(demo: Archive) -> None:
    # 电解 holds 支委会 第1次 … 第11次 in 2026, 第11次 on 5 November: one on 1 November would be 第11次 too.
    titles = {m.data.title for m in demo.records["meetings"].values()}
    assert propose(demo, "meetings", org="dj-zb", kind="支委会", day=date(2026, 11, 1)).title == (
        "电解党支部2026年第12次支委会"
    )
    for day in (date(2026, 11, 5), date(2026, 3, 1), date(2026, 3, 20)):  # 3月: a month-named 主题党日 exists
        for kind in ("支委会", "主题党日", "党课"):
            assert propose(demo, "meetings", org="dj-zb", kind=kind, day=day).title not in titles, (day, kind)
