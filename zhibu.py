"""Run zhibu from a clone with nothing installed: `python3 zhibu.py build` (Windows: `python zhibu.py build`).

The first run makes a virtual environment in .venv next to this file and installs zhibu
into it (no admin rights; works where the system Python refuses pip, PEP 668); later
runs reuse it and reinstall only when pyproject.toml changed. Then it runs:

    python3 zhibu.py <command> [args]   zhibu <command> [args] (check, build, serve, new ...)
    python3 zhibu.py test [args]        the test suite (pytest [args]), test extras installed
    python3 zhibu.py wheelhouse [args]  download every dependency into wheelhouse/ for an
                                        offline machine (args go to `pip download`, e.g.
                                        --platform win_amd64 --python-version 3.12 --test)

When a wheelhouse/ folder sits next to this file, installing uses only it (--no-index).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
WHEELHOUSE = ROOT / "wheelhouse"
STAMP = VENV / ".zhibu-installed"
LOG = VENV / "zhibu-install.log"


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def make_venv() -> Path:
    python = venv_python()
    if not python.exists():
        say(f"首次运行：在 {VENV} 创建虚拟环境……")
        try:
            venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
        except Exception as exc:  # Debian/Ubuntu without python3-venv: ensurepip is missing
            shutil.rmtree(VENV, ignore_errors=True)
            say(f"无法创建虚拟环境：{exc}")
            say("Debian/Ubuntu 请先安装 python3-venv（sudo apt install python3-venv）；")
            say("Windows 请用 python.org 的安装包（勾选 Add python.exe to PATH）。")
            sys.exit(1)
    return python


def install(extras: str) -> Path:
    """zhibu (editable, with extras) in .venv, unless the same pyproject.toml is installed already."""
    python = make_venv()
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    done = STAMP.read_text(encoding="utf-8").split() if STAMP.exists() else []
    if f"{extras}:{digest}" in done or (not extras and any(d.endswith(digest) for d in done)):
        return python
    target = f".[{extras}]" if extras else "."
    offline = ["--no-index", "--find-links", str(WHEELHOUSE)] if WHEELHOUSE.is_dir() else []
    what = f"zhibu（含 {extras} 依赖）" if extras else "zhibu"
    say(f"正在把 {what} 安装到 .venv" + ("（离线，只用 wheelhouse/）" if offline else "") + "，首次需要几分钟……")
    command = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *offline, "-e", target]
    # pip's own output (often English warnings from the machine's pip configuration) goes to a
    # log, shown only when the install fails.
    with LOG.open("w", encoding="utf-8") as log:
        status = subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True).returncode
    if status != 0:
        say(LOG.read_text(encoding="utf-8", errors="replace").rstrip())
        say(f"安装失败（pip 的完整输出在 {LOG}，见上面）。没有外网时请按 README 的“内网安装”一节准备 wheelhouse/。")
        sys.exit(1)
    STAMP.write_text(" ".join([*done, f"{extras}:{digest}"]), encoding="utf-8")
    return python


def wheelhouse(args: list[str]) -> int:
    """pip download of zhibu's dependencies (and a build backend) into wheelhouse/."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = [*project["build-system"]["requires"], "wheel", *project["project"]["dependencies"]]
    if "--test" in args:
        args = [a for a in args if a != "--test"]
        requirements += project["project"]["optional-dependencies"]["test"]
    if any(a.startswith("--platform") for a in args) and "--only-binary=:all:" not in args:
        args = [*args, "--only-binary=:all:"]
    command = [str(make_venv()), "-m", "pip", "download", "-d", str(WHEELHOUSE), *requirements, *args]
    status = subprocess.run(command, cwd=ROOT).returncode
    if status == 0:
        say(f"已下载到 {WHEELHOUSE}。把整个仓库目录（含 wheelhouse/）复制到内网机器，照常运行 zhibu.py。")
    return status


def main(args: list[str]) -> int:
    if args[:1] == ["wheelhouse"]:
        return wheelhouse(args[1:])
    if args[:1] == ["test"]:
        command = [str(install("test")), "-m", "pytest", *args[1:]]
    else:
        command = [str(install("")), "-m", "generator", *args]
    try:
        return subprocess.run(command).returncode
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
