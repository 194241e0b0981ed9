"""Stage 1, load: read the content dir into raw records that remember their lines.

YAML is read as an event stream and built into plain values by hand, so that
implicit typing never changes what the editor wrote (every scalar stays text,
only an empty value is None), duplicate keys and aliases are caught, nesting is
bounded and no Python object can ever be constructed from a tag.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.diagnostics import Diagnostic, error, warning
from generator.model import COLLECTIONS, FIELD_NAMES
from generator.stages.cache import WorkCache
from generator.stages.history import Change, last_changes
from generator.stages.yaml_errors import describe, full_width_colons, repair_full_width_colons

Loc = tuple[str | int, ...]
# Where each source line of a multi-line string value starts: (offset in the value, 1-based line).
Starts = tuple[tuple[int, int], ...]

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32
YAML_SUFFIXES = (".yaml", ".yml")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_SAFE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")} | {
    "!"
}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class RawRecord:
    """One YAML file: its plain data, the 1-based line of every key and item, and where the
    lines of every multi-line string value start."""

    collection: str  # "archive" or a key of COLLECTIONS
    id: str
    file: str  # relative to the content dir, POSIX
    data: Any
    lines: dict[Loc, int]
    starts: dict[Loc, Starts] = field(default_factory=dict)

    def line(self, loc: Loc) -> int:
        """The line of the longest known prefix of loc."""
        for end in range(len(loc), -1, -1):
            found = self.lines.get(loc[:end])
            if found:
                return found
        return 1

    def line_at(self, loc: Loc, offset: int, within: str = "") -> int:
        """The line of the character at offset in the string value at loc (or in `within`, a part
        of it: the value as validated, its surrounding whitespace stripped): its own line in a
        multi-line value whose lines are known, else the line of loc."""
        line = self.line(loc)
        starts = self.starts.get(loc, ())
        if starts and within:
            value: Any = self.data
            for key in loc:
                value = value[key]
            offset += max(value.find(within), 0)
        for start, number in starts:
            if start > offset:
                break
            line = number
        return line


@dataclass(frozen=True)
class Page:
    """A hand-written Markdown page under pages/."""

    path: str  # relative to pages/, without .md, POSIX
    file: str
    text: str


@dataclass
class Content:
    root: Path
    records: list[RawRecord] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    files: set[str] = field(default_factory=set)  # relative to files/
    history: dict[str, Change] = field(default_factory=dict)  # last git commit per file
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, bytes] = field(default_factory=dict)  # SHA-256 of every record and page file read

    def fingerprint(self) -> str:
        """A digest of everything read: record and page texts, attachments (size and modification
        time, as the docs copy them) and the git history shown on pages."""
        digest = hashlib.sha256()
        for rel, sha in sorted(self.sources.items()):
            digest.update(rel.encode() + b"\0" + sha)
        digest.update(self.attachments().encode())
        for rel, change in sorted(self.history.items()):
            digest.update(f"{rel}\0{change.date}\0{change.commit}\0".encode())
        return digest.hexdigest()

    def attachments(self) -> str:
        """A digest of the attachments: size and modification time, as the docs copy them."""
        digest = hashlib.sha256()
        for rel in sorted(self.files):
            try:
                found = (self.root / "files" / rel).stat()
                digest.update(f"{rel}\0{found.st_size}\0{found.st_mtime_ns}\0".encode())
            except OSError:
                digest.update(f"{rel}\0gone\0".encode())
        return digest.hexdigest()


class _YamlProblem(Exception):
    def __init__(self, line: int, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.detail = detail


def load(root: Path, cache: WorkCache | None = None) -> Content:
    """Read every record, page and attachment name under root; a record file whose text
    the cache has seen is not parsed again."""
    cache = cache or WorkCache(None)
    content = Content(root=root)
    if not root.is_dir():
        content.diagnostics.append(error(str(root), 0, "", "找不到档案目录"))
        return content
    real_root = root.resolve()
    for entry, rel in _walk(str(root), ""):
        path = Path(entry.path)
        if entry.is_symlink() and not _inside(path.resolve(), real_root):
            content.diagnostics.append(error(rel, 0, "", "符号链接指向档案目录之外，已拒绝"))
            continue
        _load_entry(content, path, rel, cache)
    content.history = last_changes(root)
    if cache.kept is not None:  # a deleted file's objects go with it
        for key in [k for k in cache.kept if k.partition(" ")[2] not in content.sources]:
            del cache.kept[key]
    if not any(r.collection == "archive" for r in content.records) and not any(
        d.file.startswith("archive.") for d in content.diagnostics
    ):
        content.diagnostics.append(error("archive.yaml", 0, "", "缺少档案说明文件 archive.yaml"))
    return content


def _walk(folder: str, prefix: str) -> Iterator[tuple[os.DirEntry[str], str]]:
    """Every file under folder and its path relative to the root (prefix: folder's), in os.walk's
    order (a folder's files by name, then its folders by name; hidden ones and the inside of
    linked folders left out), from one os.scandir per folder: no stat of its own."""
    try:
        with os.scandir(folder) as found:
            entries = sorted((e for e in found if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError:
        return
    folders = []
    for entry in entries:
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        if not is_folder:
            yield entry, prefix + entry.name
        elif not entry.is_symlink():
            folders.append(entry)
    for entry in folders:
        yield from _walk(entry.path, f"{prefix}{entry.name}/")


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _load_entry(content: Content, path: Path, rel: str, cache: WorkCache) -> None:
    top, _, rest = rel.partition("/")
    if top == "files" and rest:
        content.files.add(rest)
    elif top == "pages" and rest:
        if rest.endswith(".md"):
            text = _read_text(path, rel, content)
            if text is not None:
                content.pages.append(Page(rest[:-3], rel, text))
        else:
            content.diagnostics.append(warning(rel, 0, "", "pages/ 下只发布 .md 文件，已忽略"))
    elif not rest and rel in ("archive.yaml", "archive.yml"):
        _load_record(content, path, rel, "archive", "archive", cache)
    elif top in COLLECTIONS and rest:
        stem, suffix = os.path.splitext(path.name)
        if suffix in YAML_SUFFIXES:
            _load_record(content, path, rel, top, stem, cache)
        else:
            content.diagnostics.append(warning(rel, 0, "", "不是 .yaml 文件，已忽略（记录文件名应以 .yaml 结尾）"))
    elif rest or rel.endswith(YAML_SUFFIXES):
        content.diagnostics.append(warning(rel, 0, "", f"不认识的位置“{top}”，已忽略"))


def _read_text(path: Path, rel: str, content: Content) -> str | None:
    diagnostics = content.diagnostics
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            diagnostics.append(error(rel, 0, "", f"文件过大（{size} 字节，上限 {MAX_FILE_BYTES}）"))
            return None
        data = path.read_bytes()
    except OSError as exc:
        diagnostics.append(error(rel, 0, "", f"无法读取文件：{exc.strerror}"))
        return None
    content.sources[rel] = hashlib.sha256(data).digest()
    if b"\0" in data:
        diagnostics.append(error(rel, 0, "", "不是文本文件（含有二进制内容）"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        diagnostics.append(error(rel, line, "", "文件不是 UTF-8 编码，请另存为 UTF-8"))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _load_record(content: Content, path: Path, rel: str, collection: str, record_id: str, cache: WorkCache) -> None:
    signature = _signature(path) if cache.kept is not None else None
    if signature is not None and cache.kept is not None:
        kept = cache.kept.get(f"load {rel}")
        if kept is not None and kept[0] == signature:
            _, content.sources[rel], raw, diagnostics = kept
            content.diagnostics += diagnostics
            if raw is not None:
                content.records.append(raw)
            return
    text = _read_text(path, rel, content)
    if text is None:
        return
    parsed, found = cache.get(f"load {rel}", text, lambda: _parse_record(text, rel))
    diagnostics = [Diagnostic.from_plain(d) for d in found]
    content.diagnostics += diagnostics
    raw = None
    if parsed is not None:
        data, lines, starts = parsed
        raw = RawRecord(collection, record_id, rel, data, lines, starts)
        content.records.append(raw)
    if signature is not None and cache.kept is not None:
        cache.kept[f"load {rel}"] = (signature, content.sources[rel], raw, diagnostics)


# A file changed since it was read changes its status-change time (which no tool can set back),
# unless written again within the same clock tick as the read: one changed that recently is read
# again next time too (git's "racy" rule).
_RACY_NS = 2_000_000_000


def _signature(path: Path) -> tuple[int, ...] | None:
    """What tells an unchanged record file in a long-lived process without reading it, or None
    when it cannot tell (the file just changed, or cannot be seen)."""
    try:
        found = path.stat()
    except OSError:
        return None
    if time.time_ns() - found.st_ctime_ns < _RACY_NS:
        return None
    return (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def _parse_record(
    text: str, rel: str
) -> tuple[tuple[Any, dict[Loc, int], dict[Loc, Starts]] | None, list[tuple[Any, ...]]]:
    """A record file's (data, lines, starts), or None when it cannot be read, and its diagnostics,
    as plain values (the work cache stores them)."""
    colons = full_width_colons(text, FIELD_NAMES)
    found: list[Diagnostic] = []  # duplicate keys, kept even when the parse fails later on
    try:
        parsed = _parse(text, rel, found)
    except _YamlProblem as problem:
        if not colons:
            return None, [d.plain() for d in [*found, error(rel, problem.line, "", problem.message, problem.detail)]]
        # A field name followed by “：” is the commonest slip of a Chinese keyboard. It is the
        # error to report, not the YAML error it causes; parsing again with the colons repaired
        # in memory finds the file's other problems in the same run.
        colon_errors = _full_width_colon_diagnostics(rel, colons, error)
        found.clear()
        try:
            parsed = _parse(repair_full_width_colons(text, colons), rel, found)
        except _YamlProblem as problem:
            failed = [*colon_errors, *found, error(rel, problem.line, "", problem.message, problem.detail)]
            return None, [d.plain() for d in failed]
        found = colon_errors + found
    else:
        # The file parsed: the “：” may be inside a value, so only a warning.
        found = _full_width_colon_diagnostics(rel, colons, warning) + found
    return parsed, [d.plain() for d in found]


def _parse(text: str, rel: str, found: list[Diagnostic]) -> tuple[Any, dict[Loc, int], dict[Loc, Starts]]:
    lines: dict[Loc, int] = {}
    starts: dict[Loc, Starts] = {}
    return parse_yaml(text, lines, found, rel, starts), lines, starts


def raw_record(collection: str, record_id: str, rel: str, text: str) -> RawRecord:
    """A record from text that parses (a record the editor is about to write), its lines known."""
    data, lines, starts = _parse(text, rel, [])
    return RawRecord(collection, record_id, rel, data, lines, starts)


def _full_width_colon_diagnostics(
    rel: str, colons: list[tuple[int, str]], severity: Callable[..., Diagnostic]
) -> list[Diagnostic]:
    message = "字段名“{}”后用了中文冒号“：”，请改为英文冒号“:”加空格"
    return [severity(rel, line, key, message.format(key)) for line, key in colons]


def parse_yaml(
    text: str, lines: dict[Loc, int], diagnostics: list[Diagnostic], rel: str, starts: dict[Loc, Starts] | None = None
) -> Any:
    """Build plain values from YAML text; scalars stay strings, empty is None. With starts, where
    the lines of each multi-line string value start (see value_starts)."""
    root: list[Any] = []
    multiline: list[tuple[Loc, Any]] = []  # (loc, event) of every string value over several lines
    # Each frame: (container, loc, pending key or None).
    stack: list[list[Any]] = []
    documents = 0
    # The parser's events pulled directly (yaml.parse wraps the same calls in a generator):
    # this loop runs once per key and value of every record, the bulk of a first `zhibu check`.
    loader = _Loader(text)
    try:
        while (event := loader.get_event()) is not None:
            kind = type(event)
            if kind in _NODE_EVENTS:
                loc = _node(event, kind is yaml.ScalarEvent, stack, root, lines, diagnostics, rel)
                if loc and event.end_mark.line > event.start_mark.line and starts is not None:
                    multiline.append((loc, event))
            elif kind in _END_EVENTS:
                stack.pop()
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _YamlProblem(event.start_mark.line + 1, "一个文件只能写一条记录（发现多个 YAML 文档）")
            elif kind is yaml.AliasEvent:
                raise _YamlProblem(event.start_mark.line + 1, "不支持 YAML 锚点和别名（& 和 *）")
    except yaml.YAMLError as exc:
        raise _YamlProblem(*describe(exc, text)) from None
    finally:
        loader.dispose()
    if not root:
        raise _YamlProblem(1, "文件为空")
    if multiline:
        source = text.split("\n")
        for loc, event in multiline:
            found = value_starts(event, source)
            if found:
                starts[loc] = found
    return root[0]


def value_starts(event: Any, source: list[str]) -> Starts:
    """Where each non-blank source line of a multi-line scalar starts in its value, or () when
    the value is not its lines' text joined by spaces and line breaks (an escape in a quoted
    value, say): no line is then claimed that might be wrong."""
    first, last = event.start_mark.line, event.end_mark.line
    pieces = source[first : last + 1]
    pieces[-1] = pieces[-1][: event.end_mark.column]
    pieces[0] = pieces[0][event.start_mark.column :]
    if event.style in ("|", ">"):
        pieces[0] = ""  # the indicator line holds no text
    elif event.style:  # quoted: the quotes are not in the value
        pieces[0], pieces[-1] = pieces[0][1:], pieces[-1][:-1]
    value: str = event.value
    found = []
    at = 0
    for number, piece in enumerate(pieces, start=first + 1):
        piece = piece.strip(" \t")
        if not piece:
            continue
        start = value.find(piece, at)
        if start < 0 or value[at:start].strip(" \t\n"):
            return ()
        found.append((start, number))
        at = start + len(piece)
    return tuple(found)


_NODE_EVENTS = frozenset({yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent})
_END_EVENTS = frozenset({yaml.MappingEndEvent, yaml.SequenceEndEvent})


def _node(
    event: Any,
    is_scalar: bool,
    stack: list[list[Any]],
    root: list[Any],
    lines: dict[Loc, int],
    diagnostics: list[Diagnostic],
    rel: str,
) -> Loc:
    """Place one node; its loc (() for the root and for a key)."""
    line = event.start_mark.line + 1
    tag = event.tag
    if tag is not None and tag not in _SAFE_TAGS:
        raise _YamlProblem(line, f"不支持的 YAML 标签 {tag}")
    if is_scalar:
        plain = not event.style and tag is None
        value: Any = None if plain and _NULL.match(event.value) else event.value
    else:
        value = {} if isinstance(event, yaml.MappingStartEvent) else []
    if not stack:
        root.append(value)
        loc: Loc = ()
    else:
        frame = stack[-1]
        parent, parent_loc, key = frame
        if isinstance(parent, dict) and key is None:
            if not is_scalar or value is None:
                raise _YamlProblem(line, "键必须是简单的文字")
            if value in parent:
                diagnostics.append(error(rel, line, ".".join(map(str, (*parent_loc, value))), "重复的键"))
            frame[2] = value
            lines[(*parent_loc, value)] = line
            return ()
        if isinstance(parent, dict):
            parent[key] = value
            loc = (*parent_loc, key)
            frame[2] = None
        else:
            loc = (*parent_loc, len(parent))
            parent.append(value)
            lines[loc] = line
    if not is_scalar:
        if len(stack) >= MAX_DEPTH:
            raise _YamlProblem(line, f"嵌套层次过深（超过 {MAX_DEPTH} 层）")
        lines.setdefault(loc, line)
        stack.append([value, loc, None])
    return loc
