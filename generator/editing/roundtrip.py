"""Writing a record edited in a form back into its file, the way a careful person would.

ruamel.yaml's round-trip mode keeps what the form never saw: comments, blank lines, key
order, flow style and the quoting of untouched values. Only changed values are replaced;
a new key goes where the record model puts it (after the nearest earlier field that is
present); a removed value drops its key, except a key left empty on purpose (a skeleton of
`zhibu new`, whose comments explain the field). New text values are quoted where YAML 1.1
tools would read them as something else (14:30, no, 0123), as the record format asks.
"""

from __future__ import annotations

import copy
import io
from datetime import date
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from generator.model import Model
from generator.stages.validate import submodel


def _yaml() -> YAML:
    found = YAML(typ="rt")
    found.preserve_quotes = True
    found.indent(mapping=2, sequence=4, offset=2)  # the archive's style: "attendees:\n  - zhang"
    found.width = 4096  # never fold a long line the editor wrote on one line
    return found


def empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _text(value: Any) -> str:
    """A scalar as the text zhibu's loader reads (every scalar is text there)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def scalar(value: Any) -> Any:
    """A new value as ruamel should write it: numbers as numbers, text quoted when needed."""
    if isinstance(value, bool | int | float):
        return int(value) if isinstance(value, float) and value.is_integer() else value
    text = str(value).replace("\r\n", "\n").strip()
    if "\n" in text:
        return LiteralScalarString(text + "\n")
    try:
        read = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):  # ValueError: a date that does not exist (2025-02-30)
        return text  # ruamel quotes what would not parse; the check then says what is wrong
    if type(read) is date:
        return read  # a date stays plain, as the archive writes it
    return text if isinstance(read, str) else DoubleQuotedScalarString(text)


def build(value: Any, model: type[Model] | None) -> Any:
    """Fresh YAML nodes for new plain data, keys in model order."""
    if isinstance(value, dict):
        node = CommentedMap()
        for key, item in sorted(value.items(), key=lambda kv: _rank(model, kv[0])):
            if not empty(item):
                node[key] = build(item, _inner(model, key))
        return node
    if isinstance(value, list):
        return CommentedSeq(build(item, model) for item in value if not empty(item))
    return scalar(value)


def _fields(model: type[Model] | None) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()] if model else []


def _rank(model: type[Model] | None, key: str) -> int:
    names = _fields(model)
    return names.index(key) if key in names else len(names)


def _inner(model: type[Model] | None, key: str) -> type[Model] | None:
    for name, info in model.model_fields.items() if model else ():
        if (info.alias or name) == key:
            return submodel(info.annotation)
    return None


def merge(old: Any, new: Any, model: type[Model] | None) -> Any:
    """old (a ruamel node) changed to hold new (plain data); unchanged parts are old's own objects."""
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for key in list(old):
            if key not in new or (empty(new[key]) and not empty(old[key])):
                _clear(old, key)
        for key, value in new.items():
            if key in old:
                if not (empty(value) and empty(old[key])):
                    old[key] = merge(old[key], value, _inner(model, key))
            elif not empty(value):
                after = [i for i, k in enumerate(old) if _rank(model, k) <= _rank(model, key)]
                old.insert(after[-1] + 1 if after else 0, key, build(value, _inner(model, key)))
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        items = [item for item in new if not empty(item)]
        kept = min(len(old), len(items))
        tail = _take_tail(old) if items and len(items) != len(old) else None
        for gone in range(kept, len(old)):
            old.ca.items.pop(gone, None)
        del old[kept:]
        old.extend(build(item, model) for item in items[kept:])
        if tail is not None:
            _put_tail(old, tail)
        for i, item in enumerate(items[:kept]):
            old[i] = merge(old[i], item, model)
        return old
    if not isinstance(old, dict | list) and not isinstance(new, dict | list) and _text(old) == _text(new):
        return old
    return build(new, model)


def _clear(node: CommentedMap, key: str) -> None:
    """Drop key, or only empty it when comment lines follow it (the next field's heading,
    as in `zhibu new`'s skeletons), which would go with it."""
    entry = node.ca.items.get(key)
    token = entry[2] if entry and len(entry) > 2 else None
    if isinstance(node[key], CommentedSeq) and (moved := _take_tail(node[key])) is not None:
        node[key] = None
        node.ca.items[key] = [None, None, moved, None]
    elif token is not None and "\n" in token.value.rstrip("\n") and not isinstance(node[key], dict | list):
        node[key] = None
    else:
        del node[key]


def _take_tail(seq: CommentedSeq) -> Any:
    """The comment lines after a list's last item (often the next key's heading), taken off it."""
    entry = seq.ca.items.get(len(seq) - 1)
    token = entry[0] if entry else None
    if token is None or "\n" not in token.value.rstrip("\n"):
        return None
    own, _, rest = token.value.partition("\n")
    moved = copy.copy(token)
    moved.value = "\n" + rest
    if own:
        token.value = own + "\n"
    else:
        del seq.ca.items[len(seq) - 1]
    return moved


def _put_tail(seq: CommentedSeq, moved: Any) -> None:
    """Hang the comment lines taken by _take_tail after the list's new last item."""
    entry = seq.ca.items.get(len(seq) - 1)
    if entry and entry[0] is not None:
        entry[0].value = entry[0].value.rstrip("\n") + moved.value
    else:
        seq.ca.items[len(seq) - 1] = [moved, None, None, None]


def rewrite(original: str, data: dict[str, Any], model: type[Model]) -> str:
    """original's text with its record changed to data; "" as original writes a new file."""
    parser = _yaml()
    document = parser.load(original) if original.strip() else None
    if not isinstance(document, CommentedMap):
        document = CommentedMap()
    merged = merge(document, data, model)
    out = io.StringIO()
    parser.dump(merged, out)
    return out.getvalue()
