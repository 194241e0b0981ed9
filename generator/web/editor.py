"""The browser editor of `zhibu serve`: a form over each record file, saved safely, committed to git.

A WSGI app mounted by serve.py under `_zhibu/edit/`; a built site never has it. Every write
passes four gates: the request comes from the editor's own page (same Host and Origin, the
CSRF token of this server run), carries the access token when serve listens beyond this
machine, names a path proven inside the content folder, and holds a record that zhibu's own
check (validate and resolve, as `zhibu check` runs them) accepts. A file changed on disk since
the form opened it is never overwritten: both versions go back to the browser.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import mimetypes
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from http.cookies import SimpleCookie
from importlib.resources import files
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qs

from generator.diagnostics import Diagnostic, Severity
from generator.editing import gitfile
from generator.editing.form import choices, fields, form, new_values
from generator.editing.roundtrip import rewrite
from generator.editing.writeplan import Planned, UnsafePath, check_id, prove_inside, refusals
from generator.model import COLLECTIONS
from generator.pipeline import check
from generator.stages.load import YAML_SUFFIXES, RawRecord, parse_yaml, raw_record

PREFIX = "_zhibu/edit/"
MAX_UPLOAD = 20 * 1024 * 1024
MAX_BODY = 2 * 1024 * 1024
# Attachment types a 台账 holds, each with the bytes its files start with.
UPLOAD_TYPES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f/\\:*?\"<>|]+")
_LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}
Respond = Callable[..., Any]


class Refused(Exception):
    def __init__(self, status: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # after the editor's prefix
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> dict[str, Any]:
        try:
            found = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise Refused("400 Bad Request", "请求内容不是有效的 JSON") from exc
        if not isinstance(found, dict):
            raise Refused("400 Bad Request", "请求内容应为一个对象")
        return found


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Editor:
    """The editor's pages and API for one content folder."""

    def __init__(self, content: Path, *, token: str | None, epoch: Callable[[], int], mount: str = "/") -> None:
        self.content = content.resolve()
        self.token = token  # None: serve listens on this machine only
        self.csrf = secrets.token_urlsafe(32)
        self.epoch = epoch  # the live-reload epoch, so the page knows when the preview is rebuilt
        self.mount = mount
        self.routes: dict[tuple[str, str], Callable[[Request], Any]] = {
            ("GET", "api/form"): lambda r: form(self._collection(r.query.get("collection", ""))),
            ("GET", "api/choices"): lambda r: choices(self._archive(), date.today()),
            ("GET", "api/record"): self.record,
            ("GET", "api/locate"): self.locate,
            ("GET", "api/new"): self.new,
            ("GET", "api/diff"): lambda r: self._changes(self._file(r.query.get("file", ""))),
            ("POST", "api/check"): self.check,
            ("POST", "api/save"): self.save,
            ("POST", "api/commit"): self.commit,
            ("POST", "api/upload"): self.upload,
        }

    @classmethod
    def serving(cls, content: Path, host: str, mount: str, epoch: Callable[[], int]) -> Editor:
        """The editor of a preview on host: beyond this machine, only with a fresh access token."""
        token = None if host in _LOOPBACK or host == "::1" else secrets.token_urlsafe(24)
        return cls(content, token=token, epoch=epoch, mount=mount)

    def owns(self, path: str) -> bool:
        """Whether a request path is the editor's."""
        return path.startswith(self.mount + PREFIX)

    def button(self, page: bytes) -> bytes:
        """A preview page with the script that adds its 编辑 / 新建 button (never in a built site)."""
        tag = f'<script src="{self.mount}{PREFIX}static/button.js" defer></script>'.encode()
        at = page.rfind(b"</body>")
        return page[:at] + tag + page[at:] if at >= 0 else page + tag

    @property
    def url(self) -> str:
        return self.mount + PREFIX + (f"?token={self.token}" if self.token else "")

    # ------------------------------------------------------------ WSGI

    def __call__(self, environ: dict[str, Any], start_response: Respond) -> Iterable[bytes]:
        path = environ["PATH_INFO"].encode("latin-1").decode("utf-8", "ignore")[len(self.mount + PREFIX) :]
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if path.startswith("static/"):
            return self._static(path[len("static/") :], start_response)
        try:
            self._admit(environ, headers, query)
            if path in ("", "index.html"):
                return self._page(query, start_response)
            length = int(environ.get("CONTENT_LENGTH") or 0)
            limit = MAX_UPLOAD if path == "api/upload" else MAX_BODY
            if length > limit:
                _drain(environ["wsgi.input"], length)
                raise Refused("413 Payload Too Large", f"内容过大（上限 {limit // 1024 // 1024} MB）")
            request = Request(environ["REQUEST_METHOD"], path, query, headers, environ["wsgi.input"].read(length))
            handler = self.routes.get((request.method, path))
            if handler is None:
                raise Refused("404 Not Found", "没有这个编辑器接口")
            if request.method == "POST":
                self._same_origin(headers)
            return self._json(start_response, "200 OK", handler(request))
        except Refused as exc:
            return self._json(start_response, exc.status, {"error": exc.message, **exc.extra})
        except (UnsafePath, gitfile.GitError) as exc:
            return self._json(start_response, "400 Bad Request", {"error": str(exc)})

    def _admit(self, environ: dict[str, Any], headers: dict[str, str], query: dict[str, str]) -> None:
        """The access token (when listening beyond this machine) and, on loopback, a loopback Host."""
        if self.token is None:
            host = headers.get("host", "").rsplit(":", 1)[0]
            if host not in _LOOPBACK:  # a foreign name resolving here (DNS rebinding)
                raise Refused("403 Forbidden", "编辑器只接受本机地址（127.0.0.1 或 localhost）的访问")
            return
        cookie = SimpleCookie(headers.get("cookie", ""))
        given = (
            query.get("token")
            or headers.get("x-zhibu-token")
            or (cookie["zhibu_token"].value if "zhibu_token" in cookie else "")
        )
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            raise Refused("403 Forbidden", "需要访问令牌：请打开 zhibu serve 启动时在控制台打印的编辑器地址")

    def _same_origin(self, headers: dict[str, str]) -> None:
        """Writes come only from the editor's own page: same origin, this run's CSRF token."""
        origin = headers.get("origin")
        if origin is not None and origin != f"http://{headers.get('host', '')}":
            raise Refused("403 Forbidden", "拒绝来自其他网站的请求")
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            raise Refused("403 Forbidden", "拒绝来自其他网站的请求")
        if not hmac.compare_digest(headers.get("x-zhibu-csrf", "").encode(), self.csrf.encode()):
            raise Refused("403 Forbidden", "页面已过期（预览服务重启过），请刷新编辑页面后再保存")

    def _json(self, start_response: Respond, status: str, payload: Any) -> list[bytes]:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        start_response(
            status,
            [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store"), *_HARDENING],
        )
        return [body]

    def _page(self, query: dict[str, str], start_response: Respond) -> list[bytes]:
        page = (files("generator.web") / "static" / "editor.html").read_text(encoding="utf-8")
        page = page.replace("{{csrf}}", self.csrf).replace("{{base}}", self.mount + PREFIX)
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"), *_HARDENING]
        if self.token and query.get("token") == self.token:
            headers.append(("Set-Cookie", f"zhibu_token={self.token}; HttpOnly; SameSite=Strict; Path=/"))
        start_response("200 OK", headers)
        return [page.encode("utf-8")]

    def _static(self, name: str, start_response: Respond) -> list[bytes]:
        folder = files("generator.web") / "static"
        if "/" in name or name.startswith(".") or not (folder / name).is_file():
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return ["没有这个文件".encode()]
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        start_response("200 OK", [("Content-Type", f"{kind}; charset=utf-8"), *_HARDENING])
        return [(folder / name).read_bytes()]

    # ------------------------------------------------------------ paths

    def _collection(self, name: str) -> str:
        if name not in COLLECTIONS:
            raise Refused("400 Bad Request", f"没有“{name}”这类记录")
        return name

    def _file(self, rel: str) -> Path:
        """A record file named content-relative, proven inside the content folder."""
        parts = PurePosixPath(rel).parts
        if not rel or "\\" in rel or rel.startswith("/") or ".." in parts or not rel.endswith(YAML_SUFFIXES):
            raise UnsafePath(f"文件路径“{rel}”无效")
        self._collection(parts[0])
        return prove_inside(self.content, self.content / rel)

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.content).as_posix()

    def _archive(self) -> Any:
        return check(self.content, include_restricted=True).archive

    # ------------------------------------------------------------ reading

    def record(self, request: Request) -> dict[str, Any]:
        path = self._file(request.query.get("file", ""))
        if not path.is_file():
            raise Refused("404 Not Found", f"找不到记录文件 {self._rel(path)}")
        text = path.read_text(encoding="utf-8-sig")
        data = parse_yaml(text, {}, [], self._rel(path))
        rel = self._rel(path)
        return {
            "file": rel,
            "collection": rel.split("/")[0],
            "id": path.stem,
            "data": data if isinstance(data, dict) else {},
            "base": digest(text),
            "page": self._page_url(rel.split("/")[0], path.stem),
        }

    def locate(self, request: Request) -> dict[str, Any]:
        """Which record file or collection a preview page shows (for its 编辑/新建 button)."""
        page = request.query.get("page", "").strip("/").split("/")
        if page and page[0] in COLLECTIONS:
            if len(page) == 1:
                return {"collection": page[0]}
            folder = self.content / page[0]
            for suffix in YAML_SUFFIXES:
                for path in sorted(folder.rglob(f"{page[1]}{suffix}")) if folder.is_dir() else []:
                    return {"file": self._rel(prove_inside(self.content, path))}
        return {}

    def new(self, request: Request) -> dict[str, Any]:
        collection = self._collection(request.query.get("collection", ""))
        try:
            day = date.fromisoformat(request.query.get("date") or date.today().isoformat())
        except ValueError as exc:
            raise Refused("400 Bad Request", "日期应写成 YYYY-MM-DD") from exc
        folder = self.content / collection
        taken = {p.stem for p in folder.rglob("*.y*ml")} if folder.is_dir() else set()
        org = request.query.get("org") or None
        found = new_values(self._archive(), collection, taken, org=org, kind=request.query.get("type"), day=day)
        return {"collection": collection, **found}

    # ------------------------------------------------------------ writing

    def _planned(self, payload: dict[str, Any]) -> tuple[Edited, str]:
        """The record the payload asks for, as it would be written, and the disk text it replaces."""
        data = payload.get("data")
        if not isinstance(data, dict):
            raise Refused("400 Bad Request", "缺少记录内容")
        if payload.get("file"):
            path = self._file(str(payload["file"]))
            if not path.is_file():
                raise Refused("404 Not Found", f"找不到记录文件 {self._rel(path)}")
            old = path.read_text(encoding="utf-8-sig")
            collection = self._rel(path).split("/")[0]
        else:
            collection = self._collection(str(payload.get("collection", "")))
            record_id, folder = str(payload.get("id", "")), str(payload.get("folder") or collection)
            check_id(record_id)
            if PurePosixPath(folder).parts[:1] != (collection,):
                raise UnsafePath(f"文件夹“{folder}”不在 {collection}/ 之下")
            path = self._file(f"{folder}/{record_id}.yaml")
            taken = {p.stem for p in (self.content / collection).rglob("*.y*ml")}
            if record_id in taken:
                raise Refused("409 Conflict", f"编号“{record_id}”已被使用，请换一个", field="id")
            old = None
        text = rewrite(old or "", data, COLLECTIONS[collection].model)
        return Edited(collection, path.stem, path, data, "", old, body=text), old or ""

    def _errors(self, planned: Edited) -> list[dict[str, Any]]:
        return _problems(refusals(self.content, [planned]).get(planned.path, []))

    def _warnings(self, path: Path, unsaved: RawRecord | None = None) -> list[dict[str, Any]]:
        """What `zhibu check` warns about this file (应到 unaccounted, duplicates, incomplete
        records), as saved or, with unsaved, as the form has it now."""
        rel = self._rel(path)
        found = check(self.content, include_restricted=True, unsaved=unsaved).diagnostics
        return _problems([d for d in found if d.file == rel and d.severity is Severity.WARNING])

    def check(self, request: Request) -> dict[str, Any]:
        planned, _ = self._planned(request.json())
        unsaved = raw_record(planned.collection, planned.id, self._rel(planned.path), planned.body)
        return {"errors": self._errors(planned), "warnings": self._warnings(planned.path, unsaved)}

    def save(self, request: Request) -> dict[str, Any]:
        payload = request.json()
        planned, old = self._planned(payload)
        if planned.old is not None and digest(old) != payload.get("base"):
            raise Refused(
                "409 Conflict",
                "保存前文件已在磁盘上被修改（可能是别人或别的程序改的），没有覆盖。请对照两个版本后重新打开记录再改。",
                theirs=old,
                mine=planned.body,
            )
        errors = self._errors(planned)
        if errors:
            raise Refused("422 Unprocessable Entity", "记录有错误，未保存", errors=errors)
        epoch = self.epoch()
        _write(planned.path, planned.body, create=planned.old is None)
        return {
            "file": self._rel(planned.path),
            "warnings": self._warnings(planned.path),
            "base": digest(planned.body),
            **self._changes(planned.path),
            "git": gitfile.repository(planned.path) is not None,
            "page": self._page_url(planned.collection, planned.id),
            "epoch": epoch,
            "message": f"{'修改' if planned.old else '新增'}{COLLECTIONS[planned.collection].label}记录："
            f"{planned.data.get('title') or planned.data.get('name') or planned.id}",
        }

    def commit(self, request: Request) -> dict[str, Any]:
        payload = request.json()
        bundle = self._bundle(self._file(str(payload.get("file", ""))))
        return {"commit": gitfile.commit(bundle, str(payload.get("message", ""))), "files": self._listed(bundle)}

    def _bundle(self, path: Path) -> list[Path]:
        """The record file and the uncommitted files it needs: its attachments and the records it names
        (a person created in the same session), so the commit passes `zhibu check` on its own."""
        data = parse_yaml(path.read_text(encoding="utf-8-sig"), {}, [], self._rel(path))
        needed: list[Path] = []
        for widget, value in _walk(fields(COLLECTIONS[self._rel(path).split("/")[0]].model), data):
            if widget["widget"] == "attachment":
                needed.append(self.content / "files" / value)
            elif widget["widget"] == "ref" and (self.content / widget["ref"]).is_dir():
                needed += sorted((self.content / widget["ref"]).rglob(f"{value}.y*ml"))
        inside = {prove_inside(self.content, p) for p in needed if p.is_file()} - {path}
        return [path, *gitfile.uncommitted(sorted(inside))]

    def _changes(self, path: Path) -> dict[str, Any]:
        bundle = self._bundle(path)
        return {"diff": gitfile.diff(bundle), "files": self._listed(bundle)}

    def _listed(self, paths: list[Path]) -> list[str]:
        return [f"content/{self._rel(p)}" for p in paths]

    def upload(self, request: Request) -> dict[str, Any]:
        """An attachment into files/<year>/<record id>-<name>, as the archive files them."""
        name = _UNSAFE_NAME.sub("-", PurePosixPath(request.query.get("name", "")).name).strip(" .-")
        suffix = PurePosixPath(name).suffix.lower()
        if suffix not in UPLOAD_TYPES:
            raise Refused("415 Unsupported Media Type", f"只能上传 {'、'.join(UPLOAD_TYPES)} 文件")
        if len(request.body) > MAX_UPLOAD:
            raise Refused("413 Payload Too Large", f"文件过大（上限 {MAX_UPLOAD // 1024 // 1024} MB）")
        if not request.body.startswith(UPLOAD_TYPES[suffix]):
            raise Refused("415 Unsupported Media Type", f"文件内容不是 {suffix} 格式")
        record_id = request.query.get("record", "")
        check_id(record_id)
        year = request.query.get("year", "")
        if not re.fullmatch(r"\d{4}", year):
            raise Refused("400 Bad Request", "缺少年份")
        stem = name if name.startswith(record_id) else f"{record_id}-{name}"
        path = prove_inside(self.content, self.content / "files" / year / stem)
        if path.exists():
            raise Refused("409 Conflict", f"已有同名附件 files/{year}/{stem}，请改名后再上传")
        _write(path, request.body, create=True)
        return {"path": f"{year}/{stem}"}

    def _page_url(self, collection: str, record_id: str) -> str:
        return f"{self.mount}{collection}/{record_id}/"


@dataclass(frozen=True)
class Edited(Planned):
    """A planned record whose text is the round-trip writer's, not a fresh dump."""

    body: str = ""

    @property
    def text(self) -> str:
        return self.body


def _problems(found: list[Diagnostic]) -> list[dict[str, Any]]:
    return [{"field": d.field, "line": d.line, "message": d.message} for d in found]


def _walk(described: list[dict[str, Any]], data: Any) -> Iterator[tuple[dict[str, Any], str]]:
    """Each text value of data with the form widget that edits it."""
    if not isinstance(data, dict):
        return
    for field in described:
        value = data.get(field["key"])
        widget = field.get("item", field) if field["widget"] == "list" else field
        for item in value if isinstance(value, list) and field["widget"] == "list" else [value]:
            if widget["widget"] == "group":
                yield from _walk(widget["fields"], item)
            elif isinstance(item, str) and item.strip():
                yield widget, item.strip()


def _drain(stream: Any, length: int) -> None:
    """Read a refused body (up to a bound) so the browser gets the answer, not a broken connection."""
    left = min(length, 4 * MAX_UPLOAD)
    while left > 0 and (chunk := stream.read(min(left, 1 << 20))):
        left -= len(chunk)


_HARDENING = [("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "SAMEORIGIN")]


def _write(path: Path, body: str | bytes, *, create: bool) -> None:
    """Write whole or not at all: a temporary file beside it, then renamed over it.
    A new file never replaces one that appeared meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = body.encode("utf-8") if isinstance(body, str) else body
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".zhibu-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, path.stat().st_mode if path.exists() else 0o644)
        if create:
            os.link(temporary, path)  # fails when path exists
        else:
            os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
