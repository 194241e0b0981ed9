"""Long unbroken text (an OA link, 300 characters without a space) on a phone and on paper.

A small archive is built by the real CLI; its one meeting has such a title and such 会后落实
tasks. At 390 px every page showing them (the record, the 会后落实 ledger, the owners' pages,
search results) stays as wide as the screen with every column of the task's row on it; printed
by Chromium, the record and the ledger keep their last column on the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import meeting_yaml, pdf_pages, serve_dir, write_archive, zhibu

pytestmark = pytest.mark.browser

URL = (
    "https://oa.example.cn/workflow/request/ViewRequestForwardSPA.jsp"
    "?requestid=2026120212345678&isovertime=0&f_weaver_belongto_userid=10086"
)
LONG = "ABCDEFGHIJ" * 30  # 300 characters, no space
TITLE = "钛白攻关会" + "KLMNOPQRST" * 6
ACTIONS = f"""actions:
  - task: 落实节能任务 见OA流程 {URL}
    owner: li
    due: 2023-03-20
    status: 进行中
    result: 见 {URL}
  - task: {LONG}
    owner: zhang
    due: 2023-03-25
"""
PHONE = (390, 844)
A4_TEXT_WIDTH = 672  # CSS px between the margins of a portrait A4 page (178 mm)
PAGES = {
    "record": "/meetings/m1/",
    "ledger": "/ledgers/actions/",
    "owner": "/people/li/",
    "other owner": "/people/zhang/",
    "search": "/search/?q=钛白",
}

# The document's width, and in each table row holding a long task the cell after the task (责任人,
# or 期限 on a person's page) when it ends off the screen: a task column as wide as its text
# pushed every other column off a phone.
MEASURE = """(marks) => ({
  scrollWidth: document.scrollingElement.scrollWidth,
  offScreen: [...document.querySelectorAll("article tr")]
    .filter((row) => marks.some((mark) => row.cells[0].innerText.includes(mark)))
    .map((row) => row.cells[1]).filter((cell) => cell.getBoundingClientRect().right > innerWidth)
    .map((cell) => cell.innerText),
})"""


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("long")
    content = write_archive(root, {"meetings/2023/m1.yaml": meeting_yaml("支委会", "2023-03-10", TITLE, ACTIONS)})
    result = zhibu("build", "--content", content, "--site", root / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    with serve_dir(root / "site") as served:
        yield served


@pytest.fixture(scope="module")
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=dict(zip(("width", "height"), PHONE, strict=True)), locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("name", PAGES)
def test_long_text_wraps_on_a_phone(phone: Any, url: str, name: str) -> None:
    phone.goto(url + PAGES[name])
    if name == "search":
        phone.wait_for_selector("#zhibu-search[data-state=done]", timeout=15000)
        assert phone.locator(".zhibu-search__result").count() >= 1
    found = phone.evaluate(MEASURE, [LONG[:20], "落实节能任务"])
    assert found["scrollWidth"] <= PHONE[0], f"{name} is {found['scrollWidth']} px wide"
    assert not found["offScreen"], f"{name}: the column after the task is off the screen: {found['offScreen']}"


@pytest.mark.parametrize(("path", "last"), [("/meetings/m1/", "落实情况"), ("/ledgers/actions/", "来源会议")])
def test_a_printed_table_with_long_text_fits_the_page(page: Any, url: str, path: str, last: str) -> None:
    text = "".join(t for t, _ in pdf_pages(page, url + path))
    assert LONG[:10] in text and "责任人" in text
    assert last in text, f"{path}: the last column is off the paper"
    page.set_viewport_size({"width": A4_TEXT_WIDTH, "height": 900})
    page.emulate_media(media="print")
    widths = page.eval_on_selector_all(
        "article table", "tables => tables.map((t) => t.scrollWidth - t.closest('article').clientWidth)"
    )
    assert widths and max(widths) <= 1, f"{path}: a printed table is wider than the page"
