"""Hostile and broken input, restricted records, personal data, and builds that never lose the site."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import check_at, only_error, serve_dir, write_archive, zhibu

from generator.stages.publish import template_dir

MEETING = "type: 支委会\ntitle: 支委会\norg: zb\ndate: 2023-03-08\nattendees:\n  - zhang\n"
PARTS = (
    "time: 14:30-15:30\nhost: zhang\nrecorder: zhang\nagenda:\n  - title: 学习\n"  # with location, summary: complete
)

# ---------------------------------------------------------------- broken input never crashes


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xef\xbb\xbf",
        b"- a\n- b\n",
        b"just a scalar\n",
        b"a: [" * 200 + b"]" * 200,
        b"title: " + "长".encode() * 400_000 + b"\n",
        b"a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c]\n",
        b"a: !!python/object/apply:os.system ['echo hi']\n",
        b"a: !custom 1\n",
        b"\x00\x01\x02binary",
        b"\xff\xfe\x00t\x00i\x00t\x00l\x00e",
        b"{{ 1 + 1 }}: [\n",
        b"\t- tab\n",
        b"a: 1\nb: 2\n---\nc: 3\n",
        b"? [complex, key]\n: value\n",
        b"<<: {title: merged}\n",
    ],
)
def test_any_file_gives_errors_with_a_line_never_a_crash(tmp_path: Path, body: bytes) -> None:
    checked = check_at(write_archive(tmp_path, {"meetings/m1.yaml": body}))
    found = [d for d in checked.diagnostics if d.file == "meetings/m1.yaml"]
    assert found and all(d.message for d in found)
    assert not checked.ok


def test_large_file_is_refused_before_parsing(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"meetings/m1.yaml": b"title: " + b"x" * 2_000_000})
    assert "文件过大" in d.message


def test_symlink_outside_the_content_dir_is_rejected(tmp_path: Path) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text("name: 秘密\nstatus: 群众\n", encoding="utf-8")
    content = write_archive(tmp_path)
    (content / "people" / "secret.yaml").symlink_to(outside)
    found = [d for d in check_at(content).diagnostics if d.file == "people/secret.yaml"]
    assert found and "符号链接" in found[0].message


def test_a_folder_named_like_a_record_is_not_a_crash(tmp_path: Path) -> None:
    content = write_archive(tmp_path)
    (content / "meetings" / "odd.yaml").mkdir(parents=True)
    assert check_at(content).ok


# ---------------------------------------------------------------- personal data


def test_id_card_and_mobile_numbers_are_errors_at_their_line(tmp_path: Path) -> None:
    body = MEETING + "summary: |\n  会议记录\n  联系电话 13912345678\nlocation: 身份证11010519491231002X\n"
    found = [d for d in check_at(write_archive(tmp_path, {"meetings/m1.yaml": body})).diagnostics]
    assert [(d.line, d.field, d.severity) for d in found] == [(9, "summary", "error"), (10, "location", "error")]


def test_email_and_address_are_warnings_and_the_allowlist_silences(tmp_path: Path) -> None:
    body = MEETING + PARTS + "location: 昆明市北京路123号\nsummary: 请发至 dangban@example.cn\n"
    found = check_at(write_archive(tmp_path, {"meetings/m1.yaml": body})).diagnostics
    assert [(d.field, d.severity) for d in found] == [("location", "warning"), ("summary", "warning")]
    allowed = "name: 测试档案\nowner: dzz\npii_allowlist:\n  - dangban@example.cn\n  - 昆明市北京路123号\n"
    quiet = check_at(write_archive(tmp_path, {"meetings/m1.yaml": body, "archive.yaml": allowed}))
    assert quiet.ok and not quiet.diagnostics


def test_numbers_that_only_look_like_ids_pass(tmp_path: Path) -> None:
    body = MEETING + PARTS + "location: 会议室\nsummary: 炉寿1983炉，编号110105194912310021，流水号20230308001\n"
    assert not check_at(write_archive(tmp_path, {"meetings/m1.yaml": body})).diagnostics


# ---------------------------------------------------------------- restricted records

SECRET = "内部评议细节XJ42"


def restricted_archive(tmp_path: Path) -> Path:
    return write_archive(
        tmp_path,
        {
            "meetings/secret.yaml": MEETING + f"summary: {SECRET}\nvisibility: 受限\nattachments:\n  - s.pdf\n",
            "files/s.pdf": b"%PDF-1.4 " + SECRET.encode(),
            "meetings/open.yaml": MEETING.replace("title: 支委会", "title: 公开会议"),
        },
    )


def test_restricted_records_leave_no_trace_in_the_default_site(tmp_path: Path) -> None:
    content = restricted_archive(tmp_path)
    site = tmp_path / "site"
    assert zhibu("build", "--content", content, "--site", site).returncode == 0
    assert (site / "meetings" / "open" / "index.html").is_file()
    for file in site.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            assert SECRET.encode() not in data and b"meetings/secret" not in data, file
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "| 1 |" not in home or "会议" in home  # counts come from published records only
    assert not (site / "files" / "s.pdf").exists()


def test_include_restricted_builds_a_separate_site_with_a_banner(tmp_path: Path) -> None:
    content = restricted_archive(tmp_path)
    refused = zhibu("build", "--content", content, "--include-restricted", cwd=tmp_path)
    assert refused.returncode == 2
    full = tmp_path / "site-full"
    result = zhibu("build", "--content", content, "--include-restricted", "--site", full)
    assert result.returncode == 0, result.stderr
    html = (full / "meetings" / "secret" / "index.html").read_text(encoding="utf-8")
    assert SECRET in html and "受限记录" in html
    assert (full / "files" / "s.pdf").is_file()


# ---------------------------------------------------------------- the published site is never lost


def failing_project(tmp_path: Path, hook: str) -> Path:
    """An archive whose mkdocs.yml adds a hook that fails at one point of the build."""
    content = write_archive(tmp_path)
    (tmp_path / "fail.py").write_text(hook, encoding="utf-8")
    config = template_dir() / "mkdocs.yml"
    (tmp_path / "mkdocs.yml").write_text(f"INHERIT: {config}\nhooks:\n  - fail.py\n", encoding="utf-8")
    return content


HOOKS = {
    "template": "def on_page_markdown(markdown, **kwargs):\n    raise ValueError('模板出错')\n",
    "pagefind": "def on_post_build(config):\n    raise RuntimeError('Pagefind 出错')\n",
    "disk full": (
        "import errno\ndef on_post_build(config):\n    raise OSError(errno.ENOSPC, 'No space left on device')\n"
    ),
    "ctrl-c": "def on_page_content(html, **kwargs):\n    raise KeyboardInterrupt\n",
    "plugin error": (  # MkDocs logs it, then aborts with SystemExit
        "from mkdocs.exceptions import PluginError\ndef on_post_build(config):\n    raise PluginError('索引失败')\n"
    ),
}


@pytest.mark.parametrize("point", HOOKS)
def test_a_failed_build_leaves_the_previous_site_exactly_as_it_was(tmp_path: Path, point: str) -> None:
    content = write_archive(tmp_path)
    site = tmp_path / "site"
    assert zhibu("build", "--content", content, "--site", site).returncode == 0
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    failing_project(tmp_path, HOOKS[point])
    result = zhibu("build", "--content", content, "--site", site)
    assert result.returncode == 1 and "原有站点保持不变" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]


def test_check_links_fails_on_a_dangling_link(tmp_path: Path) -> None:
    content = write_archive(tmp_path, {"pages/about.md": "# 关于\n\n见[不存在的页面](missing.md)。\n"})
    site = tmp_path / "site"
    result = zhibu("build", "--content", content, "--site", site, "--check-links")
    assert result.returncode == 1 and "失效链接" in result.stderr
    assert not site.exists()
    assert zhibu("build", "--content", content, "--site", site).returncode == 0


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    content = tmp_path / "content"  # a copy: the build writes its Markdown beside the content dir
    shutil.copytree(Path(__file__).parent / "fixtures" / "small" / "content", content)
    one, two = tmp_path / "one", tmp_path / "two"
    for site in (one, two):
        assert zhibu("build", "--content", content, "--site", site).returncode == 0
    files_one = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    files_two = sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert files_one == files_two
    different = [
        p for p in files_one if p.name != "sitemap.xml.gz" and (one / p).read_bytes() != (two / p).read_bytes()
    ]
    assert not different


# ---------------------------------------------------------------- hostile text never executes


PAYLOAD_FILES = {
    "people/evil.yaml": (
        'name: "<b data-injected=1>恶意</b>"\nstatus: 群众\npost: "\\"><img src=x onerror=window.__xss=1>"\n'
    ),
    "meetings/xss.yaml": MEETING.replace("title: 支委会", 'title: "<script>window.__xss=2</script>标题{{ 7*7 }}"')
    + "location: '<img src=x onerror=\"window.__xss=3\">'\n"
    + 'summary: |\n  [点我](https://example.org/"onclick="window.__xss=4) [再点](<https://x.org/"onclick=window.__xss=5>)\n'
    + '  ![本站](files/x.png"onerror="window.__xss=6) `<img src=x onerror=window.__xss=61>`\n'
    + "  <iframe data-injected=1 src=javascript:window.__xss=7></iframe> {% raw %}{{ 7*7 }}\n"
    + "guests:\n  - evil\n  - '\" onmouseover=\"window.__xss=8'\n"
    + "tags:\n  - '\"><svg data-injected=1 onload=window.__xss=9>'\n  - ../../etc\n",
}


def test_script_and_outside_image_links_are_check_errors_not_rendered(tmp_path: Path) -> None:
    summary = (
        "summary: |\n  [点我](javascript:window.__xss=4) [再点](JaVa&#115;cript:window.__xss=5)\n"
        "  ![外部](http://example.com/x.png) ![数据](data:image/svg+xml,<svg/onload=window.__xss=6>)\n"
    )
    found = check_at(write_archive(tmp_path, {"meetings/m1.yaml": MEETING + summary})).diagnostics
    assert [(d.line, d.severity) for d in found] == [(8, "error"), (8, "error"), (9, "error"), (9, "error")]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    site = root / "site"
    result = zhibu("build", "--content", write_archive(root, PAYLOAD_FILES), "--site", site)
    assert result.returncode == 0, result.stdout + result.stderr
    return site


def test_template_syntax_in_a_record_is_shown_as_text(hostile_site: Path) -> None:
    html = (hostile_site / "meetings" / "xss" / "index.html").read_text(encoding="utf-8")
    assert "{{ 7*7 }}" in html and "标题49" not in html
    assert not (hostile_site / "etc").exists()


@pytest.mark.browser
def test_no_payload_runs_or_injects_an_element(hostile_site: Path, page: Any) -> None:
    with serve_dir(hostile_site) as base:
        pages = ["/", "/meetings/xss/", "/people/evil/", "/meetings/", "/tags/", "/search/?q=标题"]
        for path in pages:
            page.goto(base + path)
            if path.startswith("/search/"):
                page.wait_for_selector("#zhibu-search[data-state=done]")
            page.mouse.move(10, 10)
            assert page.evaluate("() => window.__xss") is None, path
            assert page.locator("[data-injected]").count() == 0, path
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
            assert not [h for h in hrefs if h.strip().lower().startswith(("javascript", "data:"))], path
            sources = page.eval_on_selector_all("img[src]", "els => els.map(e => e.getAttribute('src'))")
            assert not [s for s in sources if s.startswith(("http", "data:", "//"))], path
        assert "标题" in page.inner_text(".zhibu-search__results")


def test_environment_is_not_needed_for_check() -> None:
    assert "ZHIBU_CONTENT" not in os.environ


def test_html_kept_unparsed_only_in_pages_the_generator_writes() -> None:
    """The long ledger tables pass MkDocs as written (markdown_safe.RAW_START); in a hand-written
    page (no raw HTML) the markers and the table are text."""
    import markdown

    from generator.stages.markdown_safe import RAW_END, RAW_START, SafeMarkdownExtension

    text = f"前言\n\n{RAW_START}\n<table>\n<tr><td>*甲*</td></tr>\n\n</table>\n{RAW_END}\n\n*后记*\n"
    generated = markdown.Markdown(extensions=[SafeMarkdownExtension(raw_html=True)]).convert(text)
    assert generated == "<p>前言</p>\n<table>\n<tr><td>*甲*</td></tr>\n\n</table>\n<p><em>后记</em></p>"
    written = markdown.Markdown(extensions=[SafeMarkdownExtension(raw_html=False)]).convert(text)
    assert "&lt;table&gt;" in written and "<table>" not in written
