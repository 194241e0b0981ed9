"""Building the demo archive for real: URLs, links, offline, restricted records, safe failure."""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import DEMO, REPO, write_archive, zhibu
from test_incremental import tree

from generator.model import COLLECTIONS
from generator.stages.links import broken_links, page_links


@pytest.fixture(scope="module")
def site(demo_site: Path) -> Path:
    return demo_site


def page(site: Path, url: str) -> Path:
    return site / url.strip("/") / "index.html"


def test_every_record_has_its_stable_url(site: Path, demo_checked) -> None:
    archive = demo_checked.archive
    for name in COLLECTIONS:
        assert page(site, f"/{name}/").is_file()
        for record_id in archive.records[name]:
            assert page(site, f"/{name}/{record_id}/").is_file(), (name, record_id)
    assert page(site, "/pages/about/").is_file()
    assert (site / "index.html").is_file()


def test_home_page_is_chinese_and_shows_the_archive(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh"' in html
    assert "精炼厂党总支党建档案" in html and "阳极炉生产线党支部" in html


def test_meeting_page_is_a_full_minute(site: Path) -> None:
    html = page(site, "/meetings/yjl-zwh-2025-03/").read_text(encoding="utf-8")
    for label in ("会议类型", "主持人", "记录人", "应到", "实到", "出席率", "议程", "决议", "会后落实", "附件"):
        assert label in html, label
    assert "../../people/yjl-01/" in html


def _html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_no_generated_page_links_to_a_missing_page(site: Path) -> None:
    assert broken_links(site) == []


def test_site_refers_to_no_outside_host(site: Path) -> None:
    outside = []
    for file in _html_files(site):
        urls = page_links(file.read_text(encoding="utf-8"))
        outside += [(file.name, u) for u in urls if urlsplit(u).scheme or u.startswith("//")]
    for css in site.rglob("*.css"):
        outside += re.findall(r"(?:url\(|@import)\s*['\"]?((?:https?:)?//[^'\")]+)", css.read_text())
    assert not outside, outside[:20]


def test_restricted_records_stay_out_of_the_default_site(site: Path) -> None:
    restricted = (DEMO / "meetings/2025/dj/dj-mzpy-2025.yaml").read_text(encoding="utf-8")
    assert "visibility: 受限" in restricted
    assert not page(site, "/meetings/dj-mzpy-2025/").exists()
    for file in site.rglob("*"):
        if file.is_file() and file.suffix in (".html", ".xml", ".json", ".js"):
            text = file.read_text(encoding="utf-8", errors="replace")
            assert "RESTRICTED-QX7" not in text and "dj-mzpy-2025" not in text, file


def test_mkdocs_build_at_the_root_gives_the_same_site(site: Path, tmp_path: Path) -> None:
    other = tmp_path / "mkdocs-site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(other)], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    compared = filecmp.dircmp(site, other, ignore=["sitemap.xml.gz", ".zhibu-build.json"])
    differences: list[str] = []

    def walk(cmp: filecmp.dircmp) -> None:
        differences.extend(cmp.left_only + cmp.right_only)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        differences.extend(mismatch + errors)
        for sub in cmp.subdirs.values():
            walk(sub)

    walk(compared)
    assert not differences, differences[:20]


def test_failed_build_leaves_the_previous_site_untouched(tmp_path: Path) -> None:
    content = write_archive(tmp_path)
    site = tmp_path / "site"
    assert zhibu("build", "--content", content, "--site", site).returncode == 0
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    (content / "people/zhang.yaml").write_text("name: 张伟\nstatus: 不存在的状态\n", encoding="utf-8")
    result = zhibu("build", "--content", content, "--site", site)
    assert result.returncode == 1 and "原有站点保持不变" in result.stdout
    after = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


def test_mkdocs_error_also_keeps_the_previous_site(tmp_path: Path) -> None:
    content = write_archive(tmp_path)
    site = tmp_path / "site"
    assert zhibu("build", "--content", content, "--site", site).returncode == 0
    (site / "marker.txt").write_text("old")
    (tmp_path / "mkdocs.yml").write_text("INHERIT: missing.yml\n")
    result = zhibu("build", "--content", content, "--site", site)
    assert result.returncode == 1 and "构建失败" in result.stderr
    assert (site / "marker.txt").read_text() == "old"


def test_build_works_from_any_directory(tmp_path: Path) -> None:
    content = write_archive(tmp_path / "archive")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = zhibu("build", "--content", content, cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert (elsewhere / "site" / "orgs" / "zb" / "index.html").is_file()
    shutil.rmtree(elsewhere / "site")


def test_a_record_link_to_a_hand_written_page_file_reaches_the_page(tmp_path: Path) -> None:
    """The trial's `[制度](pages/rules.md)` kept its .md href and led nowhere."""
    summary = "summary: |\n  见[制度](pages/rules.md)、[第二条](pages/rules.md#第二条)。\n"
    summary += "  [指南](pages/guide/index.md)\n"
    meeting = "type: 支委会\ntitle: 支委会\norg: zb\ndate: 2023-03-08\nattendees:\n  - zhang\n" + summary
    pages = {"pages/rules.md": "# 制度\n\n## 第二条\n", "pages/guide/index.md": "# 指南\n"}
    content = write_archive(tmp_path, {"meetings/m1.yaml": meeting, **pages})
    site = tmp_path / "site"
    result = zhibu("build", "--content", content, "--site", site, "--check-links")
    assert result.returncode == 0, result.stderr
    meeting_page = site / "meetings" / "m1" / "index.html"
    hrefs = [url for url in page_links(meeting_page.read_text(encoding="utf-8")) if "pages/" in url]
    assert {"../../pages/rules/", "../../pages/rules/#第二条", "../../pages/guide/"} <= set(hrefs)
    assert not [url for url in hrefs if ".md" in url]
    for href in hrefs:
        assert (meeting_page.parent / urlsplit(href).path / "index.html").resolve().is_file()
    assert broken_links(site) == []


def _files(site: Path) -> dict[str, bytes]:
    """Every file of a site but the timestamped ones, the search index by what it holds (`tree`)."""
    skip = {"sitemap.xml.gz", ".zhibu-build.json"}
    return {rel: body for rel, body in tree(site).items() if rel.rsplit("/", 1)[-1] not in skip}


def test_an_incremental_rebuild_equals_a_cold_build(tmp_path: Path) -> None:
    content = write_archive(
        tmp_path,
        {
            "meetings/m1.yaml": "type: 支委会\ntitle: 一月支委会\norg: zb\ndate: 2023-01-08\nattendees:\n  - zhang\n",
            "meetings/m2.yaml": "type: 支委会\ntitle: 二月支委会\norg: zb\ndate: 2023-02-08\nattendees:\n  - zhang\n",
        },
    )
    site, cold = tmp_path / "site", tmp_path / "cold"
    assert zhibu("build", "--content", content, "--site", site, "--today", "2023-03-31").returncode == 0
    (content / "meetings" / "m1.yaml").write_text(
        "type: 支委会\ntitle: 一月支委会（改）\norg: zb\ndate: 2023-01-08\nattendees:\n  - zhang\n", encoding="utf-8"
    )
    (content / "meetings" / "m2.yaml").unlink()
    assert zhibu("build", "--content", content, "--site", site, "--today", "2023-03-31").returncode == 0
    assert not (site / "meetings" / "m2").exists()
    assert "一月支委会（改）" in (site / "meetings" / "m1" / "index.html").read_text(encoding="utf-8")
    shutil.rmtree(tmp_path / ".zhibu")
    assert zhibu("build", "--content", content, "--site", cold, "--today", "2023-03-31").returncode == 0
    incremental, fresh = _files(site), _files(cold)
    assert sorted(incremental) == sorted(fresh)
    assert [p for p in fresh if incremental[p] != fresh[p]] == []


def _as_nobody(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["runuser", "-u", "nobody", "--", *command], capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("runuser"), reason="needs root")
def test_the_published_site_is_readable_by_another_user(tmp_path: Path) -> None:
    # A web server runs as its own user: every folder and file of the site must be readable by it,
    # including attachments whose source file is private and a rebuild that reuses the old site.
    public = Path(tempfile.mkdtemp(prefix="zhibu-www-"))  # pytest's tmp_path is 0700: nobody cannot reach it
    try:
        public.chmod(0o755)
        content = write_archive(tmp_path, {"files/a.pdf": b"%PDF-1.4", **MEETING_WITH_ATTACHMENT})
        (content / "files" / "a.pdf").chmod(0o600)
        site = public / "www" / "archive"
        for _ in range(2):  # cold, then incremental
            assert zhibu("build", "--content", content, "--site", site, cwd=tmp_path).returncode == 0
            modes = {p: stat.S_IMODE(p.stat().st_mode) for p in [site, *site.rglob("*")] if not p.is_symlink()}
            wrong = {
                str(p.relative_to(public)): oct(m) for p, m in modes.items() if m != (0o755 if p.is_dir() else 0o644)
            }
            assert not wrong, list(wrong.items())[:5]
            for rel in ("index.html", "meetings/m1/index.html", "files/a.pdf", "pagefind/pagefind.js"):
                read = _as_nobody("cat", str(site / rel))
                assert read.returncode == 0, (rel, read.stderr)
            assert _as_nobody("ls", str(site / "assets")).returncode == 0
        # The umask is honoured: a 027 admin gets 750/640.
        subprocess.run(
            ["sh", "-c", f"umask 027 && {sys.executable} -m generator build --content {content} --site {site}"],
            check=True,
            cwd=tmp_path,
            capture_output=True,
        )
        assert stat.S_IMODE(site.stat().st_mode) == 0o750
        assert stat.S_IMODE((site / "index.html").stat().st_mode) == 0o640
        assert _as_nobody("cat", str(site / "index.html")).returncode != 0
    finally:
        shutil.rmtree(public, ignore_errors=True)


MEETING_WITH_ATTACHMENT = {
    "meetings/m1.yaml": "type: 支委会\ntitle: 支委会\norg: zb\ndate: 2023-03-08\nattendees:\n  - zhang\n"
    "attachments:\n  - a.pdf\n",
}
