"""The browser editor as a secretary meets it: Chromium against a real `zhibu serve` on a copy of
the demo archive in a temporary git repository."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO, zhibu
from served import Served, _get, copy_archive, git, serving

from generator.stages.load import parse_yaml

pytestmark = pytest.mark.browser

# A second 孙浩然 (the demo's is zl-02 of 转炉丙丁班党小组): the picker must tell them apart.
HOMONYM = "name: 孙浩然\nstatus: 正式党员\npost: 电解工\nmemberships:\n  - org: yjl-jy\n    from: 2026-11-30\n"
COMMENTED = "meetings/2026/zl/zl-bd-2026-10.yaml"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("editor-demo")
    content = copy_archive(DEMO, root)
    (content / "people" / "yjl-11.yaml").write_text(HOMONYM, encoding="utf-8")
    record = content / COMMENTED
    record.write_text("# 十月党小组会（会后补记）\n" + record.read_text(encoding="utf-8"), encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "同名人员和带注释的记录")
    with serving(content) as found:
        yield found


def pick(field: Any, text: str, choice: str) -> None:
    """Type into a person/org picker and click the entry that contains choice."""
    field.locator(".picker input").fill(text)
    field.locator(".picker .options button", has_text=choice).click()


def add_item(page: Any, key: str) -> Any:
    field = page.locator(f'[data-key="{key}"]').first
    field.locator(":scope > div > .add").click()
    return field.locator(".item").last


def wait_for_page(url: str, text: str, seconds: float = 120) -> str:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        status, body = _get(url)
        if status == 200 and text in body:
            return body
        time.sleep(0.5)
    raise AssertionError(f"{url} did not show {text!r}")


def start_meeting(served: Served, page: Any, kind: str, org: tuple[str, str], day: str, id_prefix: str) -> None:
    """新建 a meeting of kind for org (typed text, id picked) on day; wait for zhibu new's suggested id."""
    page.goto(served.url + "meetings/")
    page.locator("#zhibu-edit", has_text="新建").click()
    page.wait_for_selector('[data-key="type"] select')
    page.locator('[data-key="type"] select').select_option(kind)
    pick(page.locator('[data-key="org"]').first, *org)
    page.locator('[data-key="date"] input').first.fill(day)
    page.wait_for_function(f"document.getElementById('record-id').value.startsWith('{id_prefix}')")


def test_a_secretary_records_a_new_meeting_without_seeing_yaml(served: Served, page: Any) -> None:
    start_meeting(served, page, "党小组会", ("转炉丙丁", "zl-bd"), "2026-11-26", "zl-bd-2026-11")
    page.wait_for_function("document.querySelector('[data-key=\"title\"] input').value.includes('转炉丙丁班党小组')")
    assert page.locator("#expected").is_visible()
    page.locator('[data-key="time"] input').first.fill("16:30-17:30")
    page.locator('[data-key="location"] input').first.fill("转炉会议室")
    pick(page.locator('[data-key="host"]').first, "毛长青", "zl-04")
    pick(page.locator('[data-key="recorder"]').first, "何秀英", "zl-08")
    page.locator('[data-key="summary"] textarea').first.fill("会议推荐了优秀党员人选。")
    for name, choice in (("毛长青", "zl-04"), ("何秀英", "zl-08"), ("孙浩然", "zl-02")):
        pick(add_item(page, "attendees"), name, choice)
    options = page.locator('[data-key="attendees"] .item').last.locator(".options button")
    assert options.count() == 0 or not options.first.is_visible()
    absent = add_item(page, "absent")
    pick(absent, "高俊杰", "zl-10")
    absent.locator('[data-key="reason"] input').fill("倒班")
    agenda = add_item(page, "agenda")
    agenda.locator('[data-key="title"] input').fill("学习党的二十届三中全会精神")
    agenda.locator('[data-key="kind"] select').select_option("学习")
    decision = add_item(page, "decisions")
    decision.locator('[data-key="text"] textarea, [data-key="text"] input').first.fill("同意推荐毛长青为优秀党员")
    for key, votes in (("for", "3"), ("against", "0"), ("abstain", "0")):
        decision.locator(f'[data-key="{key}"] input').fill(votes)
    action = add_item(page, "actions")
    action.locator('[data-key="task"] input').fill("报送推荐材料")
    pick(action, "毛长青", "zl-04")
    action.locator('[data-key="due"] input').fill("2026-12-10")
    action.locator('[data-key="status"] select').select_option("未开始")
    record_id = page.locator("#record-id").input_value()
    page.locator("#save").click()
    page.wait_for_selector("#message.good", timeout=120_000)

    written = next((served.content / "meetings").rglob(f"{record_id}.yaml"))
    data = parse_yaml(written.read_text(encoding="utf-8"), {}, [], written.name)
    assert (data["type"], data["org"], data["date"]) == ("党小组会", "zl-bd", "2026-11-26")
    assert data["attendees"] == ["zl-04", "zl-08", "zl-02"]
    assert data["absent"] == [{"person": "zl-10", "reason": "倒班"}]
    assert data["agenda"] == [{"title": "学习党的二十届三中全会精神", "kind": "学习"}]
    assert data["decisions"] == [
        {"text": "同意推荐毛长青为优秀党员", "votes": {"for": "3", "against": "0", "abstain": "0"}}
    ]
    assert data["actions"] == [{"task": "报送推荐材料", "owner": "zl-04", "due": "2026-12-10", "status": "未开始"}]
    result = zhibu("check", "--strict", "--content", served.content)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "+attendees:" in page.locator("#diff").inner_text()
    body = wait_for_page(served.url + f"meetings/{record_id}/", "报送推荐材料")
    assert data["title"] in body
    preview = page.frame_locator("#preview").locator("body")  # the editor's own preview, once rebuilt
    preview.get_by_text("报送推荐材料").first.wait_for(timeout=120_000)


def open_editor(served: Served, page: Any, record: str) -> None:
    page.goto(served.url + f"meetings/{Path(record).stem}/")
    page.locator("#zhibu-edit", has_text="编辑").click()
    page.wait_for_selector('[data-key="location"] input')


def test_editing_a_commented_record_changes_one_line_and_commits_that_file_only(served: Served, page: Any) -> None:
    root = served.content.parent
    before = (served.content / COMMENTED).read_text(encoding="utf-8")
    open_editor(served, page, COMMENTED)
    page.locator('[data-key="location"] input').first.fill("转炉主控室")
    page.locator("#save").click()
    page.wait_for_selector("#message.good", timeout=120_000)
    after = (served.content / COMMENTED).read_text(encoding="utf-8")
    assert after.startswith("# 十月党小组会（会后补记）\n")
    diff = git(root, "diff", "-U0", "--", f"content/{COMMENTED}")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert len(changed) == 2 and changed[1] == "+location: 转炉主控室", diff
    assert [line for line in before.splitlines() if not line.startswith("location:")] == [
        line for line in after.splitlines() if not line.startswith("location:")
    ]
    assert "+location: 转炉主控室" in page.locator("#diff").inner_text()
    head = git(root, "rev-parse", "HEAD").strip()
    page.locator("#commit-message").fill("更正十月党小组会地点")
    page.locator("#commit").click()
    page.wait_for_selector("#committed:has-text('已提交')")
    assert git(root, "rev-list", "--count", f"{head}..HEAD").strip() == "1"
    assert git(root, "show", "--name-only", "--format=%s", "HEAD").split() == [
        "更正十月党小组会地点",
        f"content/{COMMENTED}",
    ]


def test_suggestions_never_replace_what_the_secretary_typed(served: Served, page: Any) -> None:
    start_meeting(served, page, "支委会", ("转炉", "zl-zb"), "2026-11-20", "zl-zwh-2026-11")
    title = page.locator('[data-key="title"] input').first
    title.fill("转炉党支部临时支委会")
    page.locator("#record-id").fill("zl-zwh-2026-11-linshi")
    # a later change of date or type brings new suggestions, which must leave both typed values alone
    committee = page.locator("#expected span").inner_text()
    page.locator('[data-key="date"] input').first.fill("2026-11-21")
    page.locator('[data-key="type"] select').select_option("党员大会")
    # the answer to the last change has arrived once 应到 lists the members instead of the committee
    page.wait_for_function(
        "text => document.querySelector('#expected span').textContent !== text", arg=committee, timeout=120_000
    )
    assert title.input_value() == "转炉党支部临时支委会"
    assert page.locator("#record-id").input_value() == "zl-zwh-2026-11-linshi"


def test_an_invalid_value_is_shown_at_its_field_and_nothing_is_written(served: Served, page: Any) -> None:
    record = "meetings/2026/zl/zl-bd-2026-09.yaml"
    before = (served.content / record).read_bytes()
    open_editor(served, page, record)
    page.locator('[data-key="time"] input').first.fill("25:99")
    add_item(page, "attendees").locator(".picker input").fill("王五")  # typed, not picked: nobody of that name
    page.locator("#save").click()
    error = page.locator('[data-key="time"].invalid > .error')
    error.wait_for(timeout=120_000)
    assert error.inner_text() == "时间应为 HH:MM 或 HH:MM-HH:MM"  # the message `zhibu check` prints
    # the unknown person is marked at that entry only, not on the whole list of attendees
    entry = page.locator('[data-key="attendees"] .item.invalid')
    assert entry.count() == 1 and "王五" in entry.locator(".error").inner_text()
    assert entry.locator(".picker input").input_value() == "王五"
    assert page.locator('[data-key="attendees"].invalid').count() == 0
    assert "有错误" in page.locator("#message").inner_text()
    assert (served.content / record).read_bytes() == before


def test_a_change_on_disk_after_opening_is_refused_with_both_versions(served: Served, page: Any) -> None:
    record = "meetings/2026/zl/zl-bd-2026-08.yaml"
    path = served.content / record
    open_editor(served, page, record)
    theirs = path.read_text(encoding="utf-8") + "tags:\n  - 别人加的\n"
    path.write_text(theirs, encoding="utf-8")
    page.locator('[data-key="location"] input').first.fill("我改的地点")
    page.locator("#save").click()
    page.wait_for_selector("#conflict:not([hidden])", timeout=120_000)
    assert "别人加的" in page.locator("#theirs").inner_text()
    assert "我改的地点" in page.locator("#mine").inner_text()
    assert path.read_text(encoding="utf-8") == theirs


def test_check_shows_warnings_at_their_fields_apart_from_errors_and_saving_goes_ahead(
    served: Served, page: Any
) -> None:
    record = "meetings/2026/zl/zl-bd-2026-07.yaml"
    before = (served.content / record).read_bytes()
    open_editor(served, page, record)
    attendees = page.locator('[data-key="attendees"]').first
    attendees.locator(".item", has=page.locator('input[value="zl-10"]')).locator("button", has_text="删除").click()
    pick(add_item(page, "attendees"), "孙浩然", "zl-02")  # listed twice
    page.locator('[data-key="location"] input').first.fill("")  # a complete 党小组会 record has its place
    page.locator("#check").click()
    page.wait_for_selector("#message.warn", timeout=120_000)
    # 高俊杰 (zl-10), expected at his group's meeting, is now neither present nor absent: on the list
    assert "高俊杰" in page.locator('[data-key="attendees"].warned > .warning').inner_text()
    twice = page.locator('[data-key="attendees"] .item.warned')
    assert twice.count() == 1 and twice.locator(".warning").inner_text() == "警告：“zl-02”重复列出"
    message = page.locator("#message").inner_text()
    assert "3 条警告（不影响保存" in message and "缺少地点" in message  # no field of its own: in the message
    assert page.locator(".invalid").count() == 0 and (served.content / record).read_bytes() == before
    # amber, not the red of an error
    colours = page.evaluate(
        """() => [document.querySelector('.warning:not(:empty)'), document.createElement('div')].map((node) => {
            if (!node.isConnected) { node.className = 'error'; document.body.append(node); }
            return getComputedStyle(node).color; })"""
    )
    assert colours == ["rgb(138, 83, 0)", "rgb(198, 40, 40)"], colours
    page.locator("#save").click()  # warnings never block a save
    page.wait_for_selector("#message.good", timeout=120_000)
    assert "- zl-02\n  - zl-04\n  - zl-08\n  - zl-02\n" in (served.content / record).read_text(encoding="utf-8")
    assert page.locator("#warnings-box").is_visible() and "高俊杰" in page.locator("#warnings").inner_text()
    assert page.locator('[data-key="attendees"].warned').count() == 1  # and still shown at their fields
