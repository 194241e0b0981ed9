"""Property-based tests: random text and random mutations of valid records never crash
the pipeline, and every problem found names a file, a line and a message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import write_archive
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.stages.load import Content, RawRecord, _YamlProblem, load, parse_yaml
from generator.stages.resolve import resolve
from generator.stages.validate import validate

VALID = {
    "type": "支委会",
    "title": "第一党支部支委会",
    "org": "zb",
    "date": "2023-03-08",
    "time": "14:30",
    "host": "zhang",
    "attendees": ["zhang", "李娜"],
    "absent": [{"person": "li", "reason": "倒班"}],
    "agenda": [{"title": "学习", "kind": "学习", "notes": "记录"}],
    "decisions": [{"text": "同意", "votes": {"for": 1, "against": 0}}],
    "actions": [{"task": "落实", "owner": "zhang", "due": "2023-03-20", "status": "进行中"}],
    "tags": ["攻关"],
}

weird_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))
    | st.sampled_from(["\u202e", "\u200b", "\u0000", "\x1b", "\ufeff", "<", "{", ".", "/", ":", "-", "#"]),
    max_size=30,
) | st.sampled_from(["<script>", "{{ x }}", "../..", "2023-02-30", "14:30", "no", "0123"])
values = st.recursive(
    st.none() | st.integers() | st.floats(allow_nan=False) | st.booleans() | weird_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(weird_text, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def mutated(draw: Any) -> dict[str, Any]:
    record = {k: v for k, v in VALID.items()}
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["drop", "replace", "add", "nested"]))
        key = draw(st.sampled_from(sorted(record) or ["title"]))
        if action == "drop":
            record.pop(key, None)
        elif action == "replace":
            record[key] = draw(values)
        elif action == "add":
            record[draw(weird_text)] = draw(values)
        elif isinstance(record.get(key), list) and record[key]:
            item = record[key][0]
            if isinstance(item, dict) and item:
                item = dict(item)
                item[draw(st.sampled_from(sorted(item)))] = draw(values)
                record[key] = [item, *record[key][1:]]
    return record


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Content:
    return load(write_archive(tmp_path_factory.mktemp("base")))


def _raw(text: str) -> RawRecord | None:
    lines: dict = {}
    try:
        data = parse_yaml(text, lines, [], "meetings/m1.yaml")
    except _YamlProblem as problem:
        assert problem.line >= 1 and problem.message
        return None
    return RawRecord("meetings", "m1", "meetings/m1.yaml", data, lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_any_text_parses_or_gives_a_located_error(text: str) -> None:
    _raw(text)


@settings(max_examples=300, deadline=None)
@given(record=mutated())
def test_mutated_records_give_located_diagnostics(base: Content, record: dict[str, Any]) -> None:
    raw = _raw(yaml.safe_dump(record, allow_unicode=True))
    if raw is None:
        return
    validated, problems = validate([*base.records, raw])
    _, more = resolve(validated, base)
    for d in problems + more:
        assert d.file and d.message and d.line >= 0
        if d.file == "meetings/m1.yaml":
            assert d.line >= 1, d


def test_unmodified_record_is_valid(base: Content) -> None:
    raw = _raw(yaml.safe_dump(VALID, allow_unicode=True))
    validated, problems = validate([*base.records, raw])
    _, more = resolve(validated, base)
    assert [d for d in problems + more if d.severity == "error"] == []


def test_base_path_is_a_real_folder(base: Content) -> None:
    assert Path(base.root).is_dir()
