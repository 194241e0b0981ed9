"""`zhibu serve` as a secretary meets it in Chromium: the open tabs reload by themselves after a save."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import meeting_yaml, write_archive
from served import serving

pytestmark = pytest.mark.browser
# The tab (between reloads too) shows the first text and not the second.
SHOWS = (
    "([yes, no]) => !!document.body && document.body.innerText.includes(yes) && !document.body.innerText.includes(no)"
)


def test_open_tabs_show_a_saved_record_then_its_listing_without_touching_the_browser(
    tmp_path: Path, browser: Any
) -> None:
    content = write_archive(tmp_path, {"meetings/m1.yaml": meeting_yaml("支委会", "2023-03-08", "初版标题")})
    with serving(content) as served:
        context = browser.new_context(locale="zh-CN")
        try:
            record, listing = context.new_page(), context.new_page()
            record.goto(served.url + "meetings/m1/")
            listing.goto(served.url + "years/2023/meetings/")
            for tab in (record, listing):
                assert "初版标题" in tab.content()
                tab.wait_for_function("document.readyState === 'complete'")
            record.bring_to_front()  # live reload polls from visible tabs
            (content / "meetings" / "m1.yaml").write_text(meeting_yaml("支委会", "2023-03-08", "改过的标题"), "utf-8")
            # The page reloads once for its own change and once more when the listings are in.
            record.wait_for_function("document.title.includes('改过的标题')", timeout=60_000)
            listing.bring_to_front()
            listing.wait_for_function(SHOWS, arg=["改过的标题", "初版标题"], timeout=60_000)
            # A broken save: the tab reloads to the last good page with the red banner; a fix clears it.
            broken = "type: 支委会\ntitle: 坏\norg: zb\ndate: 2023-02-30\n"
            (content / "meetings" / "m1.yaml").write_text(broken, "utf-8")
            listing.wait_for_selector("#zhibu-problems", timeout=60_000)
            listing.wait_for_function(SHOWS, arg=["改过的标题", "坏"], timeout=10_000)  # the last good site
            (content / "meetings" / "m1.yaml").write_text(meeting_yaml("支委会", "2023-03-08", "修好的标题"), "utf-8")
            listing.wait_for_function(SHOWS, arg=["修好的标题", "档案中有"], timeout=60_000)
        finally:
            context.close()
