"""Hostile text in every free-text field never runs, loads or becomes markup.

Every payload calls a recorder with its own number (`rec(12)`), so a payload that runs
says which one it was; a `window.x=1` marker would hide bypasses (Python-Markdown treats
unquoted attribute values containing `=` differently). The site is built once by the real
CLI; its HTML is parsed for live payload elements and attributes, and every page that shows
a payload is opened in Chromium with the recorder in every frame.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import TODAY, check_at, serve_dir, write_archive, zhibu

from generator.stages.derive import record_title

# Each payload carries `data-p`: an element that has it became markup.
TEXT = [
    "<img data-p src=x onerror=rec({n})>",
    "</title><script data-p>rec({n})</script>",
    '"><svg data-p onload=rec({n})>',
    "'><iframe data-p srcdoc='<script>rec({n})</script>'></iframe>",
    "&lt;b data-p&gt;E{n}&amp;amp;",
    "{{{{ rec({n}) }}}}{{% raw %}}",
    "a\n<img data-p src=x onerror=rec({n})>",
]
MARKDOWN = [
    *TEXT,
    "\\`<img data-p src=x onerror=rec({n})>\\`",
    "a ~~~ <img data-p src=x onerror=rec({n})> ~~~",
    "x ```\n<img data-p src=x onerror=rec({n})>\n```",
    "```\n\n<img data-p src=x onerror=rec({n})>\n```",
    "<div data-p>\n<script>rec({n})</script>\n</div>",
    "<!-- --><img data-p src=x onerror=rec({n})>",
    '[链接](https://example.org/"onmouseover="rec({n}))',
    '<https://example.org/"onclick=rec({n})>',
    '![图](files/a.png"onerror="rec({n}))',
    '[t](https://example.org/ "x\\" onmouseover=rec({n}) y")',
    '!!! note "<img data-p src=x onerror=rec({n})>"\n    正文',
    "| a | b |\n|---|---|\n| <img data-p src=x onerror=rec({n})> | `<b data-p>` |",
    "## <img data-p src=x onerror=rec({n})> 标题",
    "`&lt;i data-p&gt;` &lt;b data-p&gt;E{n}&amp;",
]
URL = 'https://git.example/"><img data-p src=x onerror=rec({n})>/'

# @T: a plain-text field, @M: a Markdown field, @U: a web address field.
FILES = {
    "archive.yaml": "name: @T\nowner: dzz\ndescription: @M\nedit_url: @U\nhistory_url: @U\n",
    "orgs/dzz.yaml": "name: @T\nkind: 党总支\ndescription: @M\n",
    "orgs/zb.yaml": (
        "name: @T\nkind: 党支部\nparent: dzz\nline: @T\ndescription: @M\nofficers:\n"
        "  - person: zhang\n    role: @T\n    from: 2020-01-01\n"
    ),
    "orgs/xz.yaml": "name: @T\nkind: 党小组\nparent: zb\ncrew: @T\n",
    "people/zhang.yaml": (
        "name: @T\nstatus: 正式党员\npost: @T\nbio: @M\nmemberships:\n  - org: xz\n    from: 2020-01-01\n"
    ),
    "people/li.yaml": "name: @T\nstatus: 正式党员\nmemberships:\n  - org: xz\n",
    "meetings/m1.yaml": (
        "type: 支委会\ntitle: @T\norg: zb\ndate: 2023-03-08\nlocation: @T\nhost: zhang\nlecturer: @T\n"
        "attendees:\n  - zhang\nabsent:\n  - person: li\n    reason: @T\nguests:\n  - @T\n"
        "preparation: @M\nagenda:\n  - title: @T\n    notes: @M\nsummary: @M\n"
        "decisions:\n  - text: @T\nactions:\n  - task: @T\n    owner: zhang\n    due: 2023-03-01\n    result: @T\n"
        "tags:\n  - @T\n"
    ),
    "meetings/m2.yaml": "type: 党课\ntitle: @T\norg: zb\ndate: 2023-03-20\nlecturer: @T\nattendees:\n  - li\n",
    "honours/h1.yaml": (
        "title: @T\nlevel: 省部级\ndate: 2023-03\nawarded_by: @T\ncategory: @T\ndescription: @M\n"
        "recipients:\n  - org: zb\n  - person: zhang\n  - team: @T\ntags:\n  - @T\n"
    ),
    "achievements/a1.yaml": (
        "title: @T\ncategory: 经济技术指标\ndate: 2023-03\norg: zb\npeople:\n  - zhang\ndescription: @M\n"
        "award:\n  name: @T\n  grade: @T\nmetrics:\n  - name: @T\n    value: 1983\n    unit: @T\ntags:\n  - @T\n"
    ),
    "activities/v1.yaml": "title: @T\nkind: 读书会\ndate: 2023-03-15\norg: zb\npeople: [zhang]\nsummary: @M\n",
    "projects/p1.yaml": (
        "title: @T\nkind: 揭榜挂帅\nleader: zhang\nstart: 2023-01\norg: zb\ngoal: @M\nresult: @M\ntags:\n  - @T\n"
    ),
    "assessments/s1.yaml": (
        "scheme: @T\nperiod: 2023-03\nsubject:\n  org: zb\nnotes: @M\n"
        "items:\n  - name: @T\n    category: @T\n    max: 50\n    score: 48\n"
    ),
}


def _fill(files: dict[str, str]) -> tuple[dict[str, str], list[tuple[int, str, str]]]:
    """Replace every marker with payloads numbered in order; returns the files and (number, file, payload)."""
    numbers = itertools.count()
    shown: list[tuple[int, str, str]] = []

    def payloads(rel: str, kinds: list[str], sep: str) -> str:
        parts = []
        for kind in kinds:
            n = next(numbers)
            parts.append(kind.format(n=n))
            shown.append((n, rel, parts[-1]))
        return sep.join(parts)

    markers = {"@T": (TEXT, " "), "@M": (MARKDOWN, "\n\n"), "@U": ([URL], "")}
    filled = {
        rel: re.sub(
            "@[TMU]", lambda m, rel=rel: json.dumps(payloads(rel, *markers[m.group()]), ensure_ascii=False), body
        )
        for rel, body in files.items()
    }
    heading = payloads("pages/evil.md", [k for k in TEXT if "\n" not in k], " ")
    filled["pages/evil.md"] = f"# {heading}\n\n{payloads('pages/evil.md', MARKDOWN, chr(10) * 2)}\n"
    return filled, shown


PAYLOAD_FILES, PAYLOADS = _fill(FILES)
ENTITY = TEXT[4]


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("payloads")
    content = write_archive(root, PAYLOAD_FILES)
    site = root / "site"
    result = zhibu("build", "--content", content, "--site", site, "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stdout + result.stderr
    return content, site


def html_pages(site: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(site.rglob("*.html")):
        yield "/" + path.relative_to(site).as_posix().removesuffix("index.html"), path.read_text(encoding="utf-8")


_TITLE = re.compile(r"<title>(.*?)</title", re.DOTALL | re.IGNORECASE)


def title_text(page: str) -> str:
    """What a browser shows as the page title: <title> content is text, its entities decoded."""
    found = _TITLE.search(page)
    assert found, "no <title>"
    return " ".join(html.unescape(found.group(1)).split())


class _LiveMarkup(HTMLParser):
    """Payload elements and attributes that a browser would make live."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = value or ""
            if name == "data-p":
                self.found.append(f"<{tag} data-p>")
            elif name.startswith("on") and "rec(" in value:
                self.found.append(f"<{tag} {name}={value!r}>")
            elif name in ("href", "src", "srcdoc", "action", "formaction") and "rec(" in value:
                scheme = urlsplit(value.strip()).scheme.lower()
                if name == "srcdoc" or scheme not in ("", "http", "https", "mailto"):
                    self.found.append(f"<{tag} {name}={value!r}>")
        self.script = tag == "script"

    def handle_data(self, data: str) -> None:
        if self.script and "rec(" in data:
            self.found.append(f"<script>{data[:60]}")

    def handle_endtag(self, tag: str) -> None:
        self.script = False


def live_markup(page: str) -> list[str]:
    parser = _LiveMarkup()
    parser.feed(_TITLE.sub("<title></title", page))  # <title> holds text only, as in a browser
    return parser.found


def test_payloads_reach_the_site(payload_site: tuple[Path, Path]) -> None:
    _, site = payload_site
    text = "".join(page for _, page in html_pages(site))
    assert len(PAYLOADS) > 300
    missing = [(n, rel) for n, rel, _ in PAYLOADS if not re.search(rf"(rec\(|E){n}\b", text)]
    assert not missing, missing[:5]


def test_no_payload_becomes_markup_in_any_page(payload_site: tuple[Path, Path]) -> None:
    _, site = payload_site
    found = {path: live for path, page in html_pages(site) if (live := live_markup(page))}
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)[:3000]


def test_every_record_page_is_titled_by_its_record(payload_site: tuple[Path, Path]) -> None:
    content, site = payload_site
    checked = check_at(content)
    assert checked.archive is not None
    archive = checked.archive
    site_name = " ".join(archive.info.name.split())
    for collection, records in archive.records.items():
        for record in records.values():
            page = (site / collection / record.id / "index.html").read_text(encoding="utf-8")
            expected = " ".join(record_title(archive, record).split())
            assert title_text(page) == f"{expected} - {site_name}", record.file
            assert "&lt;b data-p&gt;E" in title_text(page)  # entities show as typed


def test_listing_and_index_pages_have_their_heading_as_title(payload_site: tuple[Path, Path]) -> None:
    _, site = payload_site
    titles = {path: title_text(page) for path, page in html_pages(site)}
    assert titles["/tags/"].startswith("标签 - ")
    assert titles["/ledgers/compliance/"].startswith("三会一课 - ")
    tag_pages = [t for p, t in titles.items() if p.startswith("/tags/") and p != "/tags/"]
    assert tag_pages and all(t.startswith("标签：<img data-p src=x onerror=rec(") for t in tag_pages)
    person = [t for p, t in titles.items() if p.startswith("/people/zhang/meetings/")]
    assert person and person[0].startswith("<img data-p") and "：会议 - " in person[0]
    home = titles["/"]
    assert home.startswith("<img data-p src=x onerror=rec(0)>") and "&lt;b data-p&gt;E4&amp;amp;" in home


@pytest.mark.browser
def test_no_payload_runs_or_loads_from_another_host(payload_site: tuple[Path, Path], browser: Any) -> None:
    _, site = payload_site
    ran: list[tuple[str, int]] = []
    dialogs: list[str] = []
    outside: list[str] = []
    shown = [path for path, page in html_pages(site) if "rec(" in page and not path.startswith("/404")]
    assert len(shown) > 20
    with serve_dir(site) as base:
        context = browser.new_context(locale="zh-CN")
        context.expose_binding("rec", lambda source, n: ran.append((source["frame"].url, n)))

        def route(request_route: Any) -> None:
            if request_route.request.url.startswith(base):
                request_route.continue_()
            else:
                outside.append(request_route.request.url)
                request_route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        entity = next(n for n, rel, kind in PAYLOADS if rel == "meetings/m1.yaml" and kind == ENTITY.format(n=n))
        for path in shown:
            page.goto(base + path, wait_until="load")
            page.mouse.move(5, 5)
            page.mouse.move(400, 300)
            assert page.locator("[data-p]").count() == 0, path
        page = context.new_page()
        page.goto(f"{base}/search/?q=E{entity}")
        page.wait_for_selector("#zhibu-search[data-state=done]")
        excerpts = page.locator(".zhibu-search__excerpt").all_inner_texts()
        found = [e for e in excerpts if f"E{entity}" in e]
        assert found and all(ENTITY.format(n=entity) in e for e in found), excerpts  # entities as typed
        for _ in range(10):  # open every facet: each counts once opened
            if not page.locator(".zhibu-facet__open").count():
                break
            page.locator(".zhibu-facet__open").first.click()
            page.wait_for_selector("#zhibu-search[data-state=done]")
        facets = " ".join(page.locator(".zhibu-facet label").all_inner_texts())
        assert "&lt;b data-p&gt;E" in facets and "<b data-p>" not in facets, facets  # filter values as typed
        assert page.locator("[data-p]").count() == 0
        title = page.evaluate("() => document.title")
        context.close()
    assert not ran, ran[:10]
    assert not dialogs and not outside, (dialogs, outside)
    assert title.startswith("搜索 - ")


# ---------------------------------------------------------------- links and images are checked, not guessed

FORBIDDEN = [
    ("[点我](javascript:rec(1))", "不允许"),
    ("[点我](JaVa&#115;cript:rec(2))", "不允许"),
    ("[点我](java&#9;script:rec(3))", "不可见字符"),
    ("[点我](<java\tscript:rec(3)>)", "冒号前不是"),
    ("[点我](vbscript:rec(4))", "不允许"),
    ("[点我](data:text/html,rec(5))", "不允许"),
    ("[点我](//evil.example/x)", "“//”开头"),
    ("[点我](\\\\evil.example/x)", "反斜杠"),
    ("[点我](/%5Cevil.example/x)", "反斜杠"),
    ("[点我](../../../etc/passwd)", "站点之外"),
    ("[点我](/people/zhang/)", "“/”开头"),
    ("[点我](http:evil)", "缺少网站地址"),
    ("![图](http://evil.example/a.png)", "图片只能用站内相对路径"),
    ("![图](\\\\evil.example/a.png)", "反斜杠"),
    ("![图](\\/evil.example/a.png)", "反斜杠"),
    ("![图](//evil.example/a.png)", "“//”开头"),
    ("![图](data:image/svg+xml,<svg/onload=rec(6)>)", "图片只能用站内相对路径"),
    ("<https:>", None),  # not a link for Python-Markdown: plain text, nothing to report
]
ALLOWED = [
    "[网站](https://example.org/a?b=1#c)",
    "[信](mailto:dangban@example.org)",
    "[附件](files/2023/签到表.pdf)",
    "![照片](files/2023/合影.jpg)",
    "[本页](#议程)",
    "`[不是链接](javascript:x)`",
]


@pytest.mark.parametrize(("link", "message"), FORBIDDEN)
def test_a_link_or_image_outside_the_rules_is_an_error_at_its_line(
    tmp_path: Path, link: str, message: str | None
) -> None:
    body = "type: 支委会\ntitle: 支委会\norg: zb\ndate: 2023-03-08\nattendees:\n  - zhang\nsummary: |\n  第一行\n"
    content = write_archive(tmp_path, {"meetings/m1.yaml": body + f"  见{link}。\n"})
    errors = [d for d in check_at(content).diagnostics if d.severity == "error"]
    if message is None:
        assert not errors
        return
    assert [(d.file, d.line, d.field) for d in errors] == [("meetings/m1.yaml", 9, "summary")], errors
    assert message in errors[0].message and "\n" not in str(errors[0])


def test_links_inside_the_rules_pass_in_records_and_pages(tmp_path: Path) -> None:
    text = "\n\n".join(ALLOWED)
    files = {
        "orgs/dzz.yaml": f"name: 测试党总支\nkind: 党总支\ndescription: {json.dumps(text, ensure_ascii=False)}\n",
        "pages/help/about.md": f"# 关于\n\n{text}\n\n[上一级](../other.md)\n",
    }
    found = check_at(write_archive(tmp_path, files)).diagnostics
    assert not [d for d in found if d.severity == "error"]


def test_a_hand_written_page_link_is_checked_from_its_own_folder(tmp_path: Path) -> None:
    page = "# 关于\n\n正文\n\n[出站](../../x.md) ![图](http://evil.example/a.png)\n"
    found = check_at(write_archive(tmp_path, {"pages/about.md": page})).diagnostics
    assert [(d.file, d.line) for d in found] == [("pages/about.md", 5), ("pages/about.md", 5)]


# ---------------------------------------------------------------- diagnostics: one Chinese line each

# Every problem string of libyaml (the scanner, parser and reader compiled into PyYAML's _yaml).
LIBYAML_PROBLEMS = """\
block sequence entries are not allowed in this context
control characters are not allowed
could not find expected ':'
could not find expected directive name
did not find URI escaped octet
did not find expected '!'
did not find expected ',' or ']'
did not find expected ',' or '}'
did not find expected '-' indicator
did not find expected <document start>
did not find expected <stream-start>
did not find expected alphabetic or numeric character
did not find expected comment or line break
did not find expected digit or '.' character
did not find expected hexdecimal number
did not find expected key
did not find expected node content
did not find expected tag URI
did not find expected version number
did not find expected whitespace
did not find expected whitespace or line break
did not find the expected '>'
found a tab character that violates indentation
found a tab character where an indentation space is expected
found an incorrect leading UTF-8 octet
found an incorrect trailing UTF-8 octet
found an indentation indicator equal to 0
found character that cannot start any token
found duplicate %TAG directive
found duplicate %YAML directive
found extremely long version number
found incompatible YAML document
found invalid Unicode character escape code
found undefined tag handle
found unexpected ':'
found unexpected document indicator
found unexpected end of stream
found unexpected non-alphabetical character
found unknown directive name
found unknown escape character
incomplete UTF-16 character
incomplete UTF-16 surrogate pair
incomplete UTF-8 octet sequence
input is too long
invalid Unicode character
invalid leading UTF-8 octet
invalid length of a UTF-8 sequence
invalid trailing UTF-8 octet
mapping keys are not allowed in this context
mapping values are not allowed in this context
unexpected low surrogate area
""".splitlines()


@pytest.mark.parametrize("problem", LIBYAML_PROBLEMS)
def test_every_libyaml_problem_has_a_chinese_message(problem: str) -> None:
    from generator.stages.yaml_errors import UNKNOWN, translate

    message = translate(problem)
    assert message != UNKNOWN and not english(message)


def english(message: str) -> bool:
    """Words of four letters or more, other than the names a Chinese guide uses too."""
    return any(w not in ("Tab", "YAML", "Unicode") for w in re.findall(r"[A-Za-z]{4,}", message))


BROKEN_YAML = [
    "a: b: c\n",
    "a: 'x\n",
    'a: "x\n',
    "a: [1, 2\n",
    "a: {b: 1\n",
    "- a\nb: 1\n",
    'a: "\\q"\n',
    "a: @x\n",
    "a: `x\n",
    "a:\n\t- b\n",
    "a: |0\n  x\n",
    "a: !<x\n",
    "%FOO\n---\na: 1\n",
    "a: 1\n b: 2\n",
    "a:\n  - x\n  y: 1\n",
    "? a\n? b\n: c\n: d\n",
    "a: x\n- b\n",
    "[a, b]: c: d\n",
    "a: 'it''s\n---\nb'\n",
    "a: &x\n",
    "a: *\n",
]


def test_a_yaml_error_is_one_chinese_line_and_the_english_needs_verbose(tmp_path: Path) -> None:
    content = write_archive(tmp_path, {f"meetings/b{i}.yaml": body for i, body in enumerate(BROKEN_YAML)})
    found = [d for d in check_at(content).diagnostics if d.file.startswith("meetings/b")]
    assert {d.file for d in found} == {f"meetings/b{i}.yaml" for i in range(len(BROKEN_YAML))}
    for d in found:
        assert "\n" not in d.text(verbose=True) and not english(d.message), d
    details = [d.detail for d in found if d.detail]
    assert len(details) > len(BROKEN_YAML) // 2
    verbose, plain = (zhibu("check", "--content", content, *flags).stdout for flags in (["-v"], []))
    assert all(detail in verbose for detail in details), verbose
    assert not [detail for detail in details if detail in plain]


def test_a_full_width_colon_is_the_only_error_of_its_line_and_the_rest_of_the_file_is_checked(tmp_path: Path) -> None:
    body = "type: 支委会\ntitle：标题\norg: zb\ndate: 2025-02-30\nrecorder: 王五\nlocaton: 会议室\n"
    result = zhibu("check", "--content", write_archive(tmp_path, {"meetings/m1.yaml": body}))
    lines = [line for line in result.stdout.splitlines() if "meetings/m1.yaml" in line and "警告" not in line]
    assert "YAML" not in result.stdout, result.stdout
    assert [line.split(":")[1] for line in lines] == ["2", "4", "5", "6"], result.stdout
    assert "中文冒号" in lines[0] and "2月没有30日" in lines[1] and "王五" in lines[2] and "location" in lines[3]


def test_control_characters_in_keys_and_values_are_shown_escaped(tmp_path: Path) -> None:
    meeting = "type: 支委会\ntitle: 支委会\norg: zb\ndate: 2023-03-08\nattendees:\n  - zhang\n"
    body = meeting + '"bad\\nkey:\\tx": 1\nlocation: "a\\u2028b"\nsummary: "x\\u001b[31m红"\n'
    result = zhibu("check", "--content", write_archive(tmp_path, {"meetings/m1.yaml": body}))
    lines = [line for line in result.stdout.splitlines() if "meetings/m1.yaml" in line]
    assert len(lines) == 1 and "bad\\nkey:\\tx" in lines[0], result.stdout
    assert "\x1b" not in result.stdout and "\u2028" not in result.stdout


def test_a_full_width_colon_after_a_key_is_named_at_its_line(tmp_path: Path) -> None:
    body = "type: 支委会\ntitle： 标题\norg: zb\ndate: 2023-03-08\n"
    found = check_at(write_archive(tmp_path, {"meetings/m1.yaml": body})).diagnostics
    hint = [d for d in found if "中文冒号" in d.message]
    assert [(d.line, d.field, d.severity) for d in hint] == [(2, "title", "error")]
    inside = "type: 支委会\ntitle: 标题\norg: zb\ndate: 2023-03-08\nattendees:\n  - zhang\nsummary: |\n  注意：说明\n"
    found = check_at(write_archive(tmp_path, {"meetings/m1.yaml": inside})).diagnostics
    assert not [d for d in found if "记录不完整" not in d.message]  # a bare record is incomplete, nothing more
