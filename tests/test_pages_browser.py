"""What a reader sees: the demo site in Chromium at 1400 px and 390 px, light and dark.

Every key page is screenshotted (kept in ZHIBU_SCREENSHOTS when set, for a person to
look at) and measured: nothing wider than the screen, no table hiding columns on a
desktop, a 左右滑动 note over each table exactly when it scrolls, dates on one line,
charts that stay lines in dark mode, a readable site name and compliance grid on a phone,
search results before the filters. Opened from disk, every page says how to serve the
site and its links open pages, not folders.
"""

from __future__ import annotations

import functools
import http.server
import itertools
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "record": "/meetings/dj-ztdr-2026-09/",
    "compliance": "/ledgers/compliance/",
    "attendance": "/ledgers/attendance/",
    "assessments": "/ledgers/assessments/",
    "honours": "/ledgers/honours/",
    "projects": "/ledgers/projects/",
    "achievements": "/ledgers/achievements/",
    "search": "/search/?q=支委会",
    "person": "/people/dj-01/",
    "member": "/people/yjl-01/",
}
SCREENS = [(1400, 900, "light"), (1400, 900, "dark"), (390, 844, "light"), (390, 844, "dark")]

# Measures taken in the page: overflow of the document, tables that scroll inside the
# article, dates that break over two lines, charts whose lines are filled.
MEASURE = r"""() => {
  function wrapped(root, pattern) {  // dates whose characters sit on more than one line
    const found = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(pattern)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) found.push(match[0]);
      }
    }
    return found;
  }
  const article = document.querySelector("article");
  const scrolls = [...article.querySelectorAll(".md-typeset__scrollwrap, table")];
  return {
    scrollWidth: document.documentElement.scrollWidth,
    articleWidth: article.getBoundingClientRect().width,
    toc: !!document.querySelector(".md-sidebar--secondary:not([hidden])")
      && getComputedStyle(document.querySelector(".md-sidebar--secondary")).display !== "none"
      && document.querySelector(".md-sidebar--secondary").getBoundingClientRect().width > 0,
    scrollingTables: scrolls.filter((t) => t.scrollWidth > t.clientWidth + 1)
      .map((t) => t.querySelector("tr").innerText),
    unmarkedScrolls: scrolls.filter((t) => t.scrollWidth > t.clientWidth + 1
      && !getComputedStyle(t).backgroundImage.includes("gradient")).map((t) => t.querySelector("tr").innerText),
    // a box that scrolls shows its 左右滑动 note, one that does not hides it
    cues: [...article.querySelectorAll(".md-typeset__scrollwrap, .zhibu-matrix-box")].map((box) => [
      box.scrollWidth > box.clientWidth + 1, getComputedStyle(box, "::before").visibility === "visible"]),
    wrappedDates: wrapped(article, /\d{4}-\d{2}-\d{2}|\d{4}年\d{1,2}月(?:\d{1,2}日|(?![\u4e00-\u9fff]))/g),
    filledLines: [...document.querySelectorAll(".zhibu-line")]
      .filter((l) => getComputedStyle(l).fill !== "none").length,
    requests: performance.getEntriesByType("resource").map((r) => r.name)
      .filter((n) => !n.startsWith(location.origin) && !n.startsWith("data:")),
  };
}"""


@pytest.fixture(scope="module", params=SCREENS, ids=[f"{w}px-{s}" for w, _, s in SCREENS])
def screen(request: Any, browser: Any) -> Iterator[tuple[Any, int, str]]:
    width, height, scheme = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme, locale="zh-CN")
    yield context.new_page(), width, scheme
    context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("ZHIBU_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def visit(page: Any, url: str) -> None:
    page.goto(url)
    if "/search/" in url:
        page.wait_for_selector("#zhibu-search[data-state=done]", timeout=15000)


@pytest.mark.parametrize("name", PAGES)
def test_key_pages_fit_the_screen(screen: tuple[Any, int, str], demo_url: str, shots: Path, name: str) -> None:
    page, width, scheme = screen
    visit(page, demo_url + PAGES[name])
    page.screenshot(path=str(shots / f"{name}-{width}-{scheme}.png"), full_page=True)
    found = page.evaluate(MEASURE)
    assert found["scrollWidth"] <= width, f"{name} is wider than the screen"
    assert not found["wrappedDates"], found["wrappedDates"]
    assert not found["filledLines"]
    assert not found["requests"], "the site must not load anything from another host"
    assert not found["unmarkedScrolls"], f"{name}: a table hides columns with no sign that it scrolls"
    assert all(scrolls == cued for scrolls, cued in found["cues"]), f"{name}: 左右滑动 note wrong: {found['cues']}"
    if name in ("compliance", "attendance"):  # their tables are wider than a phone
        assert any(cued for _, cued in found["cues"]) == (width == 390), f"{name}: {found['cues']}"
    if width == 1400:
        assert not found["scrollingTables"], f"{name}: tables hide columns behind a scroll"
        if name in ("compliance", "attendance", "assessments", "honours", "projects", "achievements"):
            assert not found["toc"] and found["articleWidth"] > 1000, f"{name} does not use the full width"


def test_charts_follow_the_colour_scheme(screen: tuple[Any, int, str], demo_url: str) -> None:
    page, _, scheme = screen
    visit(page, demo_url + PAGES["compliance"])
    colours = page.evaluate(
        """() => [...document.querySelectorAll(".zhibu-chart .zhibu-line")].map((l) => getComputedStyle(l).stroke)"""
    )
    text = page.evaluate("""() => getComputedStyle(document.querySelector(".zhibu-axis")).fill""")
    assert len(colours) == 3 and len(set(colours)) == 3  # three branches, three colours
    brightness = sum(int(c) for c in text[text.index("(") + 1 : text.index(")")].split(",")[:3]) / 3
    assert (brightness > 128) == (scheme == "dark"), text


def test_phone_header_compliance_grid_and_search(screen: tuple[Any, int, str], demo_url: str) -> None:
    page, width, _ = screen
    if width != 390:
        pytest.skip("phone layout")
    visit(page, demo_url + PAGES["home"])
    title = page.locator(".md-header__topic .md-ellipsis").first
    assert title.evaluate("e => e.scrollWidth <= e.clientWidth"), "the site name is cut off"
    assert title.bounding_box()["width"] > 150

    visit(page, demo_url + PAGES["compliance"])
    heights = page.eval_on_selector_all(
        ".zhibu-matrix tbody th", "els => els.map((e) => e.getBoundingClientRect().height)"
    )
    line = page.eval_on_selector(".zhibu-matrix tbody th", "e => parseFloat(getComputedStyle(e).lineHeight)")
    assert heights and max(heights) < 2 * line, "grid labels wrap"

    visit(page, demo_url + PAGES["search"])
    first = page.locator(".zhibu-search__result").first.bounding_box()
    assert first["y"] < 844, "results start below the first screen"
    assert not page.locator(".zhibu-search__facets").is_visible()
    metas = page.eval_on_selector_all(".zhibu-search__meta", "els => els.map((e) => getComputedStyle(e).wordBreak)")
    assert metas and set(metas) == {"keep-all"}, "type words in result lines break mid-word"
    page.click(".zhibu-search__filter-label")
    assert page.locator(".zhibu-search__facets").is_visible()


def test_opened_from_disk_the_site_says_how_to_serve_it(page: Any, demo_site: Path) -> None:
    page.goto((demo_site / "ledgers" / "index.html").as_uri())
    notice = page.locator("#zhibu-file-notice")
    assert notice.is_visible() and "zhibu serve" in notice.inner_text() and "http.server" in notice.inner_text()
    page.click("article a[href*='compliance']")
    assert page.url.endswith("/ledgers/compliance/index.html")
    assert page.locator("h1").first.inner_text() == "三会一课"


def test_served_the_notice_stays_hidden(page: Any, demo_url: str) -> None:
    page.goto(demo_url + "/ledgers/")
    assert not page.locator("#zhibu-file-notice").is_visible()


class _SiteNotFound(http.server.SimpleHTTPRequestHandler):
    """A static web server set up as the README says: its missing addresses show the site's 404.html."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404:
            return super().send_error(code, message, explain)
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_missing_address_at_any_depth_shows_a_chinese_page_with_ways_on(page: Any, demo_site: Path) -> None:
    """The trial met Material's English "404 - Not found", a dead end."""
    handler = functools.partial(_SiteNotFound, directory=str(demo_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        missing = base + "/meetings/2099/no/such/%E6%94%AF%E5%A7%94%E4%BC%9A-%E5%AD%A6%E4%B9%A0/"
        assert page.goto(missing).status == 404
        text = page.locator("article").inner_text()
        assert "找不到这个页面" in text and "Not found" not in page.content()
        assert page.title().startswith("找不到页面 - ")
        assert page.eval_on_selector("header", "e => getComputedStyle(e).position") != "static"  # styled
        search = page.locator("#zhibu-not-found-search")
        assert search.inner_text() == "搜索“支委会 学习”"
        page.click("#zhibu-not-found-home")
        page.wait_for_load_state()
        assert page.url == base + "/" and page.locator("h1").count()
        page.goto(missing)
        page.click("#zhibu-not-found-search")
        page.wait_for_url(base + "/search/?q=*")
        assert page.evaluate("new URLSearchParams(location.search).get('q')") == "支委会 学习"
        # zhibu.js fills the box from the address once it has loaded: wait for it, don't race it.
        page.wait_for_function("document.querySelector('#zhibu-search input[name=q]')?.value === '支委会 学习'")
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("name", ["compliance", "attendance", "assessments", "honours"])
def test_a_phone_shows_whole_charts_with_readable_labels(
    screen: tuple[Any, int, str], demo_url: str, name: str
) -> None:
    page, width, _ = screen
    if width != 390:
        pytest.skip("phone layout")
    visit(page, demo_url + PAGES[name])
    charts = page.eval_on_selector_all(".zhibu-chart", "els => els.map((e) => e.getBoundingClientRect().right)")
    assert charts and max(charts) <= width, f"{name}: a chart runs off the screen"
    drawn = page.eval_on_selector_all(
        ".zhibu-chart",
        """charts => charts.map((c) => [...c.querySelectorAll(".zhibu-axis")]
          .filter((e) => getComputedStyle(e).display !== "none").map((e) => {
            const r = e.getBoundingClientRect();
            return [e.getAttribute("text-anchor"), r.left, r.right, r.height]; }))""",
    )
    for labels in drawn:
        assert all(left >= 0 and right <= width for _, left, right, _ in labels), labels
        assert min(height for *_, height in labels) >= 15, "chart labels too small to read (under about 10 px)"
        xs = sorted((left, right) for anchor, left, right, _ in labels if anchor == "middle")
        assert all(a[1] < b[0] for a, b in itertools.pairwise(xs)), f"x labels overlap: {labels}"
