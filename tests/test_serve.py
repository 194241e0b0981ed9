"""`zhibu serve` under a bounded burst of local requests while a record is edited."""

from __future__ import annotations

import html
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import write_archive

MEETING = "type: 支委会\ntitle: {title}\norg: zb\ndate: 2023-03-08\nattendees:\n  - zhang\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def _wait_for(url: str, text: str, seconds: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        try:
            status, body = _get(url)
            if status == 200 and text in body:
                return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not show {text!r} within {seconds} s")


def test_serve_keeps_serving_correct_pages_while_records_change(tmp_path: Path) -> None:
    content = write_archive(tmp_path, {"meetings/m1.yaml": MEETING.format(title="初版标题")})
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--content", str(content), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/meetings/m1/", "初版标题", 60)
        failures: list[tuple[str, int]] = []
        pages = ["/", "/meetings/", "/meetings/m1/", "/orgs/zb/", "/people/zhang/", "/search/"]

        def client(n: int) -> None:
            for i in range(100):  # 20 clients x 100 requests = 2,000 requests
                path = pages[(n + i) % len(pages)]
                status, body = _get(base + path)
                if status != 200 or "</html>" not in body:
                    failures.append((path, status))

        def editor() -> None:
            for title in ("第二版标题", "第三版标题"):
                time.sleep(0.5)
                (content / "meetings" / "m1.yaml").write_text(MEETING.format(title=title), encoding="utf-8")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(20)]
        threads.append(threading.Thread(target=editor))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not failures, failures[:10]
        _wait_for(base + "/meetings/m1/", "第三版标题", 30)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _start(content: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--content", str(content), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stop(server: subprocess.Popen[str]) -> str:
    server.terminate()
    output, _ = server.communicate(timeout=30)
    return output


BROKEN = "type: 支委会\ntitle: 坏记录\norg: zb\ndate: 2023-02-30\nrecordr: 张伟\nrecorder: 王五\n"
PROBLEMS = (
    "meetings/m1.yaml:4: date: 2月没有30日",
    "meetings/m1.yaml:5: recordr: 未知字段“recordr”，是不是“recorder”？",
    "meetings/m1.yaml:6: recorder: 找不到人员“王五”",
)


def test_serve_never_blocks_while_the_archive_has_errors(tmp_path: Path) -> None:
    content = write_archive(tmp_path, {"meetings/m1.yaml": MEETING.format(title="初版标题")})
    port = _free_port()
    server = _start(content, port)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/meetings/m1/", "初版标题", 60)
        (content / "meetings" / "m1.yaml").write_text(BROKEN, encoding="utf-8")
        # Every request is answered at once (urlopen's timeout is 30 s; MkDocs held them until a fix):
        # the last good site, with a red banner linking to the list of problems.
        _wait_for(base + "/meetings/m1/", 'id="zhibu-problems"', 30)
        for path in ("/", "/meetings/", "/meetings/m1/", "/people/zhang/"):
            status, body = _get(base + path)
            assert status == 200 and "档案中有 3 个错误" in body, path
        assert "初版标题" in _get(base + "/meetings/m1/")[1]
        status, body = _get(base + "/_zhibu/problems/")
        assert status == 200 and all(html.escape(p) in body for p in PROBLEMS), body
        assert "livereload" in body  # the problems page reloads by itself too
        # Fixed: the banner goes, the new text shows, with no restart.
        (content / "meetings" / "m1.yaml").write_text(MEETING.format(title="修好的标题"), encoding="utf-8")
        _wait_for(base + "/meetings/m1/", "修好的标题", 30)
        assert 'id="zhibu-problems"' not in _get(base + "/meetings/m1/")[1]
    finally:
        output = _stop(server)
    # Console: Chinese and zhibu's own; MkDocs' dirty-build warning and "appear stuck" never show.
    assert "发现 3 个错误，未更新预览" in output and all(p in output for p in PROBLEMS), output
    for english in ("WARNING", "dirty", "stuck", "Traceback", "INFO", "Building documentation"):
        assert english not in output, (english, output)


def test_serve_starts_on_a_broken_archive_and_recovers(tmp_path: Path) -> None:
    content = write_archive(tmp_path, {"meetings/m1.yaml": BROKEN})
    port = _free_port()
    server = _start(content, port)
    base = f"http://127.0.0.1:{port}"
    try:
        for path in ("/", "/meetings/m1/"):  # no good site yet: every page is the list of problems
            _wait_for(base + path, "档案中有 3 个错误", 60)
        status, body = _get(base + "/")
        assert status == 200 and html.escape(PROBLEMS[2]) in body
        (content / "meetings" / "m1.yaml").write_text(MEETING.format(title="第一次成功"), encoding="utf-8")
        _wait_for(base + "/meetings/m1/", "第一次成功", 60)
    finally:
        output = _stop(server)
    assert "浏览器中显示问题清单" in output and "已生成预览" in output, output


def test_serve_shows_the_sites_chinese_404_page_and_says_so_in_chinese(tmp_path: Path) -> None:
    """The trial's preview answered a missing page with a bare "404 Not Found" and logged
    `MkDocs 警告：… code 404` for each."""
    from served import serving

    content = write_archive(tmp_path, {"meetings/m1.yaml": MEETING.format(title="支委会")})
    with serving(content) as served:
        _wait_for(served.url + "meetings/m1/", "支委会", 60)
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(served.url + "meetings/2099/%E4%B8%8D%E5%AD%98%E5%9C%A8/", timeout=30)
        body = missing.value.read().decode("utf-8")
        assert missing.value.code == 404 and "找不到这个页面" in body and 'id="zhibu-not-found-home"' in body
        assert "livereload" in body  # it reloads when the page appears
        deadline = time.monotonic() + 10
        while not any("预览中没有这个地址" in line for line in served.output) and time.monotonic() < deadline:
            time.sleep(0.1)
    output = "".join(served.output)
    assert "预览中没有这个地址：/meetings/2099/不存在/" in output, output
    assert "code 404" not in output, output


def test_serve_on_a_taken_port_says_so_in_one_line_before_building(tmp_path: Path) -> None:
    content = write_archive(tmp_path, {"meetings/m1.yaml": MEETING.format(title="支委会")})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "generator", "serve", "--content", str(content), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""  # no "已生成预览", no address: nothing was built
    hint = f"请换一个端口，例如 zhibu serve --port {port + 1}"
    line = f"错误：端口 {port} 已被占用（可能另一个 zhibu serve 正在运行），{hint}"
    assert result.stderr.strip().splitlines() == [line]


def _docs(docs: Path) -> dict[str, bytes]:
    return {
        p.relative_to(docs).as_posix(): p.read_bytes()
        for p in docs.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def test_serve_shows_a_saved_record_first_then_its_listings_as_a_whole_build_would(tmp_path: Path) -> None:
    from conftest import meeting_yaml
    from served import serving

    from generator.pipeline import check, generate

    content = write_archive(
        tmp_path,
        {
            "meetings/m1.yaml": meeting_yaml("支委会", "2023-03-08", "初版标题"),
            "meetings/m2.yaml": meeting_yaml("支委会", "2023-04-12", "四月支委会"),
        },
    )
    with serving(content) as served:
        _wait_for(served.url + "meetings/m1/", "初版标题", 60)
        (content / "meetings" / "m1.yaml").write_text(meeting_yaml("支委会", "2023-03-08", "改过的标题"), "utf-8")
        _wait_for(served.url + "meetings/m1/", "改过的标题", 60)
        for listing in ("years/2023/meetings/", "people/zhang/meetings/", "ledgers/attendance/"):
            _wait_for(served.url + listing, "改过的标题", 60)
        _wait_for(served.url + "meetings/m2/", "四月支委会", 10)
        start = time.monotonic()
        while not any("已更新预览" in line for line in served.output) and time.monotonic() - start < 60:
            time.sleep(0.1)
        output = "".join(served.output)
        # A deleted record is not one page's change: the whole site is rebuilt at once.
        (content / "meetings" / "m2.yaml").unlink()
        start = time.monotonic()
        while _get(served.url + "meetings/m2/")[0] == 200 and time.monotonic() - start < 60:
            time.sleep(0.1)
        assert _get(served.url + "meetings/m2/")[0] == 404
        _wait_for(served.url + "meetings/m1/", "改过的标题", 10)
        after_delete = "".join(served.output)[len(output) :]
    # The record's own page first, then the rest of the same save.
    first = output.index("已更新所改记录的页面")
    assert output.index("已更新预览", first) > first, output
    assert "已更新所改记录的页面" not in after_delete and "已更新预览" in after_delete, after_delete
    # The generated pages are exactly those of a fresh, whole generation of the same archive.
    fresh = tmp_path / "fresh"
    generate(check(content), fresh)
    assert _docs(content.parent / ".zhibu" / "docs") == _docs(fresh)


MEETING_FILE = "meetings/2024/dj/dj-bd-2024-12.yaml"
ACHIEVEMENT_FILE = "achievements/2025/zl-lushou-2025.yaml"
# (file, text replaced, replacement): each a save whose page the preview shows first.
SAVES = [
    (MEETING_FILE, "title: 电解丙丁班党小组2024年12月", "title: 改过标题的"),  # title
    (MEETING_FILE, "date: 2024-12-12", "date: 2024-06-03"),  # date: other neighbours
    (MEETING_FILE, "  - dj-02\n  - dj-04\n", "  - dj-04\n  - dj-10\n"),  # attendees
    (MEETING_FILE, "org: dj-bd\n", "org: dj-jy\n"),  # references: another org, its meetings around it
    (MEETING_FILE, "host: dj-04", "host: dj-06"),
    (ACHIEVEMENT_FILE, "value: 1983", "value: 2011"),
    (ACHIEVEMENT_FILE, "better: higher", "better: lower"),  # the page reads the metric's first achievement
    (ACHIEVEMENT_FILE, "project: zhuanlu-lushou\n", ""),
    ("projects/zhuanlu-lushou.yaml", "\n", "\n# 改过\n"),  # backlinks: the achievements of the project
]


def test_a_saved_records_first_page_is_the_one_a_whole_check_renders(tmp_path: Path) -> None:
    """The preview's first build after a save renders the saved record's page from a check made
    for that page alone (check_saved); the page must be the one a whole check gives, edit after edit."""
    from conftest import DEMO

    from generator.pipeline import check, check_saved
    from generator.stages.cache import WorkCache
    from generator.stages.render import render, url

    content = tmp_path / "content"
    shutil.copytree(DEMO, content)
    new = content / "meetings/2024/dj/dj-bd-2024-12b.yaml"
    saves = [*SAVES, (new.relative_to(content).as_posix(), "", (content / MEETING_FILE).read_text("utf-8"))]
    cache = WorkCache(None)
    previous = check(content, cache=cache)
    for rel, old, replacement in saves:
        path = content / rel
        text = path.read_text("utf-8") if path.exists() else ""
        assert old in text, (rel, old)
        path.write_text(text.replace(old, replacement, 1), "utf-8")
        found = check_saved(previous, cache, 20)
        assert found is not None, rel
        first, saved = found
        pages = {url(record.collection, record.id)[1:] for record in saved}
        assert pages == {url(rel.partition("/")[0], path.stem)[1:]}
        previous = check(content, cache=cache)
        assert render(first.archive, first.views, only=pages) == render(previous.archive, previous.views, only=pages), (
            rel
        )
