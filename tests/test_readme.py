"""The README followed literally: its worked example, and its two commands in a fresh clone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEMO, REPO, zhibu

from generator.pipeline import check, generate

README = (REPO / "README.md").read_text(encoding="utf-8")


def _block_after(marker: str, language: str) -> str:
    """The first fenced block of that language after marker."""
    rest = README[README.index(marker) :]
    match = re.search(rf"```{language}\n(.*?)```", rest, re.S)
    assert match, (marker, language)
    return match.group(1)


# ---------------------------------------------------------------- the worked example


def test_worked_example_passes_strict_check_in_the_demo(tmp_path: Path) -> None:
    section = README[README.index("### 新增一次会议") :]
    where = re.search(r"在 `content/(.+?)/` 下新建 `(.+?\.yaml)`", section)
    assert where, "the example names its folder and file"
    content = tmp_path / "content"
    shutil.copytree(DEMO, content)
    path = content / where.group(1) / where.group(2)
    assert not path.exists(), f"the example's id {path.stem} already exists in the demo"
    assert any(p.parent == path.parent for p in content.rglob("*.yaml")), "folder follows the demo's convention"
    path.write_text(_block_after("### 新增一次会议", "yaml"), encoding="utf-8")
    result = zhibu("check", "--strict", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    checked = check(content)
    assert path.stem in checked.archive.records["meetings"]
    generate(checked, tmp_path / "docs")
    assert "阳极炉党支部2026年第12次支委会" in (tmp_path / "docs" / "meetings" / f"{path.stem}.md").read_text("utf-8")


# ---------------------------------------------------------------- the two commands


def readme_commands() -> list[str]:
    """The command lines of the README's first shell block ("两条命令")."""
    block = _block_after("## 两条命令", "bash")
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


SYSTEM_PYTHON = Path("/usr/bin/python3")


@pytest.mark.install
@pytest.mark.skipif(not SYSTEM_PYTHON.exists() or not shutil.which("git"), reason="needs the system Python and git")
def test_readme_commands_work_with_the_system_python_in_a_fresh_clone(tmp_path: Path) -> None:
    """Debian's Python is externally managed (PEP 668): `pip install` outside a venv fails there."""
    if os.environ.get("ZHIBU_INSIDE_INSTALL_TEST"):
        pytest.skip("already running inside this test's clone")
    commands = readme_commands()
    assert len(commands) == 2 and all(c.startswith("python3 ") for c in commands), commands
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=120)
    system_bin = str(SYSTEM_PYTHON.parent)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join([system_bin, *(p for p in env["PATH"].split(os.pathsep) if ".venv" not in p)])
    env["ZHIBU_INSIDE_INSTALL_TEST"] = "1"

    def run(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-c", command], cwd=clone, env=env, capture_output=True, text=True, timeout=1200)

    assert shutil.which("python3", path=env["PATH"]) == str(SYSTEM_PYTHON)
    build = run(commands[0])
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert "已生成站点 site" in build.stdout and (clone / "site" / "index.html").is_file()
    assert (clone / ".venv").is_dir() and not (clone / "site" / ".venv").exists()
    # The test command runs the suite; here only one small file of it (the whole suite runs this test).
    tests = run(commands[1] + " -q -p no:cacheprovider tests/test_validate.py -k invalid_dates")
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-3000:]
    assert re.search(r"\d+ passed", tests.stdout), tests.stdout


def test_what_zhibu_writes_into_the_repo_is_git_ignored() -> None:
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").split()
    assert "/ledgers/" in ignored  # zhibu export's default output
    assert "/.zhibu/" in ignored  # generated Markdown and the work cache


def test_a_failed_first_install_says_so_in_chinese_and_keeps_pips_log(tmp_path: Path) -> None:
    # A clone whose one dependency is in no wheelhouse: pip fails, offline and at once.
    shutil.copy(REPO / "zhibu.py", tmp_path / "zhibu.py")
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\n[project]\nname = "x"\nversion = "1"\n'
        'dependencies = ["zhibu-no-such-package"]\n',
        encoding="utf-8",
    )
    (tmp_path / "wheelhouse").mkdir()
    result = subprocess.run(
        [sys.executable, "zhibu.py", "check"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    log = tmp_path / ".venv" / "zhibu-install.log"
    assert result.returncode == 1 and log.is_file()
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("安装失败") and str(log) in last, result.stderr
    assert log.read_text(encoding="utf-8").strip() in result.stderr  # pip's output, shown because it failed
