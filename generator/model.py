"""Record definitions: the one source of truth for validation, JSON Schema and docs.

Every collection of the record format is a pydantic model. Field titles,
descriptions and examples are the Chinese field reference; the annotations carry
the markers (`Ref`, vocabularies, date kinds) that later stages walk.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from generator import vocab
from generator.vocab import Vocabulary

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


# ---------------------------------------------------------------- value types


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date that may be only a year (2021) or a month (2021-06)."""

    year: int
    month: int = 0
    day: int = 0

    def __str__(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
        if self.day:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    @property
    def label(self) -> str:
        if self.day:
            return f"{self.year}年{self.month}月{self.day}日"
        if self.month:
            return f"{self.year}年{self.month}月"
        return f"{self.year}年度"

    @property
    def start(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)


@dataclass(frozen=True, order=True)
class CoveredPeriod:
    """The period a meeting reports on: a year (2024), half (2025-H1), quarter (2025-Q1) or month (2025-03)."""

    start: date
    months: int  # 12, 6, 3 or 1

    def __str__(self) -> str:
        year, month = self.start.year, self.start.month
        return {12: f"{year}", 6: f"{year}-H{(month + 5) // 6}", 3: f"{year}-Q{(month + 2) // 3}"}.get(
            self.months, f"{year}-{month:02d}"
        )


_YEAR_RE, _MONTH, _DAY = r"([0-9]{4})", r"(0[1-9]|1[0-2])", r"(0[1-9]|[12][0-9]|3[01])"
_DATE_RE = re.compile(rf"^{_YEAR_RE}-{_MONTH}-{_DAY}$")
_PARTIAL_RE = re.compile(rf"^{_YEAR_RE}(?:-{_MONTH}(?:-{_DAY})?)?$")
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?:\s*-\s*([01]?\d|2[0-3]):([0-5]\d))?$")
_PERIOD_RE = re.compile(rf"^{_YEAR_RE}(?:-{_MONTH})?$")
_COVERS_RE = re.compile(rf"^{_YEAR_RE}(?:-(?:{_MONTH}|[Qq]([1-4])|[Hh]([12])))?$")

# The Communist Party of China was founded in 1921: no date in its organisations' records is older.
EARLIEST_YEAR = 1921
_SCHEMA_YEAR = "(192[1-9]|19[3-9][0-9]|[2-9][0-9]{3})"  # the years from EARLIEST_YEAR on, for JSON Schema


def _schema_pattern(regex: re.Pattern[str]) -> str:
    """regex as JSON Schema states it: the same, with the year no earlier than EARLIEST_YEAR."""
    return regex.pattern.replace(_YEAR_RE, _SCHEMA_YEAR, 1)


def too_early(year: int) -> str:
    return f"年份 {year:04d} 早于 {EARLIEST_YEAR} 年（中国共产党成立之年），请核对年份"


@dataclass(frozen=True)
class Horizon:
    """How far after today a date may lie, in years; it validates a parsed date-like value.

    A day something happens (a meeting, joining the Party) is at most a year ahead, one planned
    (a due date, the end of a term) at most ten; none is before EARLIEST_YEAR.
    """

    years: int
    words: str  # the span in Chinese, for messages and the field reference

    def __call__(self, value: Any) -> Any:
        start = _first_day(value)
        if start.year < EARLIEST_YEAR:
            raise PydanticCustomError("zhibu_date_range", too_early(start.year))
        if start > date.today() + timedelta(days=366 * self.years):
            raise PydanticCustomError("zhibu_date_range", f"{value} 比今天晚{self.words}以上，请核对年份")
        return value


HAPPENED, PLANNED = Horizon(1, "一年"), Horizon(10, "十年")


def _first_day(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, (PartialDate, CoveredPeriod)):
        return value.start
    year, _, month = value.partition("-")  # a Period: YYYY or YYYY-MM
    return date(int(year), int(month or 1), 1)


def _parse_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    match = _DATE_RE.match(str(value).strip()) if isinstance(value, str) else None
    if match:
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            pass
    raise PydanticCustomError("zhibu_date", date_problem(value, "YYYY-MM-DD"))


_LOOSE_DATE_RE = re.compile(r"^(\d{4})(?:\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?)?\s*月?)?$")


def date_problem(value: Any, expected: str) -> str:
    """What is wrong with a date, in words: 2月没有30日, 月份应为 1–12, or the format to use."""
    text = str(value).strip()
    match = _LOOSE_DATE_RE.match(text) if isinstance(value, str) else None
    if match and expected == "YYYY-MM-DD" and not match.group(3):
        return "日期要写到日（YYYY-MM-DD），如 2025-03-08"
    if not match:
        return f"日期应写成 {expected} 格式，如 2025-03-08" + ("" if expected == "YYYY-MM-DD" else "、2025-03 或 2025")
    year, month, day = (int(g) if g else 0 for g in match.groups())
    if year < EARLIEST_YEAR:
        return too_early(year)
    if match.group(2) and not 1 <= month <= 12:
        return f"月份应为 1–12，这里写的是 {month}"
    if match.group(3):
        last = calendar.monthrange(year, month)[1]
        if day == 0:
            return "日应从 1 开始"
        if day > last:
            leap = f"（{year}年不是闰年）" if month == 2 and day == 29 else ""
            return f"{month}月没有{day}日{leap}"
    canonical = "-".join(f"{n:02d}" if i else f"{n:04d}" for i, n in enumerate((year, month, day)) if n)
    return f"日期应写成 {expected} 格式：{canonical}"


def parse_partial_date(value: Any) -> PartialDate:
    if isinstance(value, PartialDate):
        return value
    match = _PARTIAL_RE.match(value.strip()) if isinstance(value, str) else None
    if match:
        year, month, day = (int(g) if g else 0 for g in match.groups())
        try:
            date(year, month or 1, day or 1)
            return PartialDate(year, month, day)
        except ValueError:
            pass
    raise PydanticCustomError("zhibu_partial_date", date_problem(value, "YYYY-MM-DD、YYYY-MM 或 YYYY"))


def _parse_time(value: Any) -> str:
    match = _TIME_RE.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise PydanticCustomError("zhibu_time", "时间应为 HH:MM 或 HH:MM-HH:MM")
    h1, m1, h2, m2 = match.groups()
    start = f"{int(h1):02d}:{m1}"
    return f"{start}-{int(h2):02d}:{m2}" if h2 else start


def _parse_period(value: Any) -> str:
    match = _PERIOD_RE.match(value.strip()) if isinstance(value, str) else None
    if match and int(match.group(1)) < EARLIEST_YEAR:
        raise PydanticCustomError("zhibu_date_range", too_early(int(match.group(1))))
    if match:
        return value.strip()
    raise PydanticCustomError("zhibu_period", "考核期间应为 YYYY-MM 或 YYYY")


def parse_covers(value: Any) -> CoveredPeriod:
    if isinstance(value, CoveredPeriod):
        return value
    match = _COVERS_RE.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise PydanticCustomError("zhibu_covers", "覆盖期间应为 YYYY、YYYY-H1、YYYY-Q1 或 YYYY-MM，如 2024、2025-Q1")
    year, month, quarter, half = match.groups()
    if int(year) < EARLIEST_YEAR:
        raise PydanticCustomError("zhibu_date_range", too_early(int(year)))
    if month:
        return CoveredPeriod(date(int(year), int(month), 1), 1)
    if quarter:
        return CoveredPeriod(date(int(year), int(quarter) * 3 - 2, 1), 3)
    if half:
        return CoveredPeriod(date(int(year), int(half) * 6 - 5, 1), 6)
    return CoveredPeriod(date(int(year), 1, 1), 12)


_YEAR = {"type": "integer", "minimum": EARLIEST_YEAR, "maximum": 9999}  # a bare year is a number in YAML 1.2


def _date_type(horizon: Horizon) -> Any:
    return Annotated[
        date,
        PlainValidator(_parse_date),
        AfterValidator(horizon),
        PlainSerializer(lambda d: d.isoformat()),
        WithJsonSchema({"type": "string", "format": "date", "pattern": _schema_pattern(_DATE_RE)}),
    ]


def _partial_date_type(horizon: Horizon) -> Any:
    return Annotated[
        PartialDate,
        PlainValidator(parse_partial_date),
        AfterValidator(horizon),
        PlainSerializer(str),
        WithJsonSchema({"anyOf": [{"type": "string", "pattern": _schema_pattern(_PARTIAL_RE)}, _YEAR]}),
    ]


Date, PlannedDate = _date_type(HAPPENED), _date_type(PLANNED)
PartialDateType, PlannedPartialDate = _partial_date_type(HAPPENED), _partial_date_type(PLANNED)
Time = Annotated[
    str,
    PlainValidator(_parse_time),
    WithJsonSchema({"type": "string", "pattern": _TIME_RE.pattern}),
]
Period = Annotated[
    str,
    PlainValidator(_parse_period),
    AfterValidator(HAPPENED),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": _schema_pattern(_PERIOD_RE)}, _YEAR]}),
]
Covers = Annotated[
    CoveredPeriod,
    PlainValidator(parse_covers),
    AfterValidator(HAPPENED),
    PlainSerializer(str),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": _schema_pattern(_COVERS_RE)}, _YEAR]}),
]
# Editors see YAML 1.2 (a bare 2023 is a number there): the schema lets such text through, as zhibu does.
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1),
    WithJsonSchema({"type": ["string", "number"], "minLength": 1}),
]


def enum(v: Vocabulary) -> Any:
    """A field restricted to a vocabulary; aliases are accepted and stored canonically."""
    return Annotated[
        Literal[v.words],  # type: ignore[valid-type]
        BeforeValidator(v.canonical),
        WithJsonSchema({"type": "string", "enum": v.accepted, "title": v.name}),
    ]


@dataclass(frozen=True)
class Ref:
    """Marks a field that refers to a record of another collection.

    `free` fields may also hold text naming someone outside the archive.
    """

    collection: str
    free: bool = False


PersonRef = Annotated[Text, Ref("people")]
FreePersonRef = Annotated[Text, Ref("people", free=True)]
OrgRef = Annotated[Text, Ref("orgs")]
ProjectRef = Annotated[Text, Ref("projects")]


@dataclass(frozen=True)
class Attachment:
    """Marks a path under content/files/."""


AttachmentPath = Annotated[Text, Attachment()]


@dataclass(frozen=True)
class MarkdownSyntax:
    """Marks text written in Markdown: its links and images are checked (markdown_safe)."""


MarkdownText = Annotated[Text, MarkdownSyntax()]


# ---------------------------------------------------------------- field helpers


def f(title: str, description: str, example: Any, *, required: bool = False, **kw: Any) -> Any:
    """A documented field: Chinese title, description and one example."""
    default = ... if required else None
    return Field(default, title=title, description=description, examples=[example], **kw)


def fl(title: str, description: str, example: Any, *, required: bool = False) -> Any:
    """A documented list field (empty by default)."""
    if required:
        return Field(..., title=title, description=description, examples=[example], min_length=1)
    return Field(default_factory=list, title=title, description=description, examples=[example])


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ---------------------------------------------------------------- shared parts


ATTACHMENTS = "content/files/ 下的文件路径，每个文件必须存在"
TAGS = "用于按主题浏览和检索"
VISIBILITY = "内部（默认）或 受限（默认站点不发布）"


class Officer(Model):
    person: PersonRef = f("人员", "担任职务的人员（编号或唯一姓名）", "zhang-wei", required=True)
    role: Text = f("职务", "书记、副书记、组织委员、宣传委员、纪检委员、组长等", "书记", required=True)
    from_: Date | None = f("起", "任职开始日期", "2022-01-01", alias="from")
    to: PlannedDate | None = f("止", "任职结束日期；空表示现任", "2024-12-31")


class Membership(Model):
    org: OrgRef = f("组织", "所在党支部或党小组的编号", "jl-zhibu", required=True)
    from_: Date | None = f("起", "编入日期", "2020-07-01", alias="from")
    to: PlannedDate | None = f("止", "转出日期；空表示至今", "2024-03-31")


class Absence(Model):
    person: PersonRef = f("人员", "缺席人员", "li-na", required=True)
    reason: Text | None = f("原因", "缺席原因", "倒班")


class AgendaItem(Model):
    title: Text = f("议题", "议题名称", "学习《中国共产党支部工作条例（试行）》", required=True)
    kind: enum(vocab.AGENDA_KINDS) | None = f("类型", "学习、汇报、讨论、表决、其他", "学习")
    notes: MarkdownText | None = f("记录", "发言和讨论记录（可用 Markdown）", "书记领学，大家交流体会。")


class Votes(Model):
    for_: int | None = f("赞成", "赞成票数", 7, alias="for", ge=0)
    against: int | None = f("反对", "反对票数", 0, ge=0)
    abstain: int | None = f("弃权", "弃权票数", 0, ge=0)


class Decision(Model):
    text: Text = f("决议", "决议内容", "同意吸收李娜为预备党员", required=True)
    votes: Votes | None = f("表决", "表决票数；合计不超过实到人数", {"for": 7, "against": 0})


class Action(Model):
    task: Text = f("任务", "会后落实的任务", "完成阳极炉烟道检修方案", required=True)
    owner: PersonRef | None = f("责任人", "定人定责的责任人", "wang-qiang")
    due: PlannedDate | None = f("期限", "完成期限", "2023-04-15")
    status: enum(vocab.ACTION_STATUSES) | None = f("状态", "未开始、进行中、已完成、已取消", "进行中")
    done: Date | None = f("完成日期", "实际完成日期", "2023-04-10")
    result: Text | None = f("落实情况", "落实结果说明", "方案已通过车间审查")


class Recipient(Model):
    org: OrgRef | None = f("组织", "获奖组织", "jl-zhibu")
    person: PersonRef | None = f("人员", "获奖个人", "zhang-wei")
    team: FreePersonRef | None = f("集体", "档案外的集体或个人名称", "阳极炉甲班")


class Award(Model):
    name: Text | None = f("奖项", "奖项名称", "集团公司科技进步奖")
    level: enum(vocab.HONOUR_LEVELS) | None = f("级别", "奖项级别", "集团级")
    grade: Text | None = f("等级", "一等奖、二等奖、三等奖等", "二等奖")


class Metric(Model):
    name: Text = f("指标", "指标名称；同名指标跨记录绘制趋势", "转炉炉寿", required=True)
    value: float = f("数值", "本次达到的数值", 1983, required=True)
    unit: Text | None = f("单位", "计量单位", "炉")
    previous: float | None = f("原值", "此前的数值", 1650)
    better: enum(vocab.METRIC_DIRECTIONS) | None = f(
        "方向",
        "higher 表示越高越好，lower 表示越低越好（如成本、单耗），决定台账中的变化记为“改善”还是“变差”。"
        "同名指标只需在一条记录中填写；都未填写时按名称判断：含“成本”“费用”“耗”“损”“废”“残”“事故”“故障”"
        "“排放”“投诉”“停机”的为越低越好，其余为越高越好",
        "lower",
    )


class Subject(Model):
    org: OrgRef | None = f("组织", "被考核的组织", "jl-zhibu")
    person: PersonRef | None = f("人员", "被考核的人员", "zhang-wei")


class Item(Model):
    name: Text = f("项目", "考核项目", "三会一课", required=True)
    category: Text | None = f("类别", "考核类别", "党建工作")
    max: float = f("满分", "该项满分", 10, required=True, ge=0)
    score: float = f("得分", "该项得分，不超过满分", 9.5, required=True, ge=0)


# ---------------------------------------------------------------- collections


class Archive(Model):
    name: Text = f("名称", "站点标题", "精炼厂党总支党建档案", required=True)
    owner: OrgRef = f("所属组织", "本档案最高一级组织的编号", "jl-dzz", required=True)
    description: MarkdownText | None = f("简介", "首页显示的说明（可用 Markdown）", "精炼厂党总支组织生活档案。")
    rules: dict[enum(vocab.MEETING_TYPES), enum(vocab.FREQUENCIES)] | None = f(
        "频次要求",
        "各会议类型的频次要求，覆盖默认值：monthly、quarterly、half-yearly、yearly",
        {"党课": "quarterly"},
    )
    completeness: dict[enum(vocab.COMPLETENESS_SCOPES), list[enum(vocab.RECORD_PARTS)]] | None = f(
        "完整性要求",
        "一份完整的会议记录必须有哪些要素，覆盖默认值：“全部”对每种会议适用，各会议类型另加；"
        "写出的键整体替换该键的默认值，写 [] 取消。要素：时间、地点、主持人、记录人、实到人员、缺席原因、议程、"
        "会议总结、会前准备、授课人、题目、决议、表决、责任人、期限",
        {"全部": ["时间", "地点", "主持人", "记录人", "议程"], "党课": ["授课人", "题目"]},
    )
    since: PartialDateType | None = f(
        "起始", "档案从何时起完整：三会一课按此后的期间核查；默认为最早一次会议所在月份", "2024-12"
    )
    until: PlannedPartialDate | None = f(
        "截至", "档案记录到何时为止（如已移交的档案、示例档案）：此后的期间不再核查", "2026-11"
    )
    repo_url: Text | None = f("仓库地址", "记录所在 git 仓库的网页地址", "https://git.example/party/archive")
    pii_allowlist: list[Text] = fl(
        "个人信息白名单", "被误认为手机号、身份证号、邮箱或住址、但可以公开的文字", ["dangban@example.cn"]
    )
    edit_url: Text | None = f(
        "编辑地址", "编辑链接前缀，后接 content 下的文件路径", "https://git.example/party/archive/edit/main/content/"
    )
    history_url: Text | None = f(
        "历史地址",
        "修改历史链接前缀，后接 content 下的文件路径",
        "https://git.example/party/archive/commits/main/content/",
    )


class Org(Model):
    name: Text = f("名称", "组织名称", "精炼生产线党支部", required=True)
    aliases: list[Text] = fl(
        "别名",
        "名称之外的常用叫法，搜索和 --org 都认；简称（如 精炼支部、精炼）由名称自动得出，不必填写",
        ["精炼线支部"],
    )
    kind: enum(vocab.ORG_KINDS) = f("类型", "党委、党总支、党支部、党小组", "党支部", required=True)
    parent: OrgRef | None = f("上级组织", "上级组织编号（档案所属组织除外必填）", "jl-dzz")
    line: Text | None = f("生产线", "支部所建的生产线", "阳极炉生产线")
    crew: Text | None = f("班组", "党小组所设的横大班", "甲班")
    established: Date | None = f("成立日期", "成立日期", "2019-07-01")
    dissolved: PlannedDate | None = f("撤销日期", "撤销日期", "2024-12-31")
    officers: list[Officer] = fl(
        "委员", "支委或组长及任期", [{"person": "zhang-wei", "role": "书记", "from": "2022-01-01"}]
    )
    description: MarkdownText | None = f("简介", "组织简介（可用 Markdown）", "负责阳极炉生产线的党建工作。")


class Person(Model):
    name: Text = f("姓名", "姓名（可含 ·）", "张伟", required=True)
    status: enum(vocab.PERSON_STATUSES) = f(
        "政治面貌", "正式党员、预备党员、发展对象、入党积极分子、群众", "正式党员", required=True
    )
    joined: PartialDateType | None = f("入党时间", "入党日期，可只写年或年月", "2008-07")
    post: Text | None = f("岗位", "岗位", "阳极炉炉长")
    category: enum(vocab.TALENT_CATEGORIES) | None = f("人才类别", "技术、管理、操作", "操作")
    memberships: list[Membership] = fl(
        "组织关系", "所在党支部、党小组及时间（党员必填）", [{"org": "jl-yjl-jia", "from": "2020-01-01"}]
    )
    bio: MarkdownText | None = f("简介", "个人简介（可用 Markdown）", "长期扎根一线，带头攻关。")


class Meeting(Model):
    type: enum(vocab.MEETING_TYPES) = f(
        "会议类型",
        "党员大会、支委会、党小组会、党课、主题党日、组织生活会、民主评议党员、其他",
        "支委会",
        required=True,
    )
    title: Text = f("标题", "会议名称", "第一党支部2023年3月支委会", required=True)
    org: OrgRef = f("组织", "召开会议的组织；党小组会由党小组召开", "jl-zhibu", required=True)
    date: Date = f("日期", "召开日期", "2023-03-08", required=True)
    covers: Covers | None = f(
        "覆盖期间",
        "会议所属的期间，三会一课按它核查：年（2024）、半年（2025-H1）、季度（2025-Q1）或月（2025-03）；"
        "默认为召开日期所在期间。次年年初召开的上年度组织生活会、民主评议党员写上一年",
        "2024",
    )
    time: Time | None = f("时间", "HH:MM 或 HH:MM-HH:MM", "14:30-16:00")
    location: Text | None = f("地点", "会议地点", "阳极炉会议室")
    host: PersonRef | None = f("主持人", "主持人", "zhang-wei")
    recorder: PersonRef | None = f("记录人", "记录人", "li-na")
    lecturer: FreePersonRef | None = f("授课人", "党课授课人（党课必填），可为档案外人员", "厂党委书记")
    topic: Text | None = f("题目", "党课的题目、主题党日的主题", "以新质生产力推动冶炼技术攻关")
    attendees: list[PersonRef] = fl("实到人员", "出席人员", ["zhang-wei", "李娜"])
    absent: list[Absence] = fl("缺席", "缺席人员及原因", [{"person": "wang-qiang", "reason": "倒班"}])
    guests: list[FreePersonRef] = fl("列席", "列席人员，可为档案外人员", ["车间主任"])
    preparation: MarkdownText | None = f("会前准备", "会前准备情况（可用 Markdown）", "提前三天下发通知。")
    agenda: list[AgendaItem] = fl("议程", "议题列表", [{"title": "学习条例", "kind": "学习"}])
    summary: MarkdownText | None = f("会议总结", "会议总结（可用 Markdown）", "会议达成一致意见。")
    decisions: list[Decision] = fl("决议", "决议及表决", [{"text": "同意发展计划", "votes": {"for": 5}}])
    actions: list[Action] = fl(
        "会后落实",
        "定人定责的落实事项",
        [{"task": "报送材料", "owner": "li-na", "due": "2023-03-20", "status": "未开始"}],
    )
    attachments: list[AttachmentPath] = fl("附件", ATTACHMENTS, ["2023/zwh-03-签到表.pdf"])
    tags: list[Text] = fl("标签", TAGS, ["发展党员"])
    visibility: enum(vocab.VISIBILITIES) | None = f("公开范围", VISIBILITY, "内部")


class Honour(Model):
    title: Text = f("荣誉名称", "荣誉名称", "云南省工人先锋号", required=True)
    level: enum(vocab.HONOUR_LEVELS) = f(
        "级别", "国家级、省部级、地市级、集团级、公司级、厂级", "省部级", required=True
    )
    date: PartialDateType = f("日期", "授予日期，可只写年或年月", "2022-04", required=True)
    awarded_by: Text | None = f("授予单位", "授予单位", "云南省总工会")
    recipients: list[Recipient] = fl(
        "获奖对象", "每项只填一种：组织（org）、人员（person）或集体（team）", [{"org": "jl-zhibu"}], required=True
    )
    category: Text | None = f("类别", "先进集体、先进个人、岗位能手等", "先进集体")
    description: MarkdownText | None = f("说明", "说明（可用 Markdown）", "表彰生产线在节能降耗中的突出贡献。")
    attachments: list[AttachmentPath] = fl("附件", ATTACHMENTS, ["honours/证书.jpg"])
    tags: list[Text] = fl("标签", TAGS, ["工人先锋号"])
    visibility: enum(vocab.VISIBILITIES) | None = f("公开范围", VISIBILITY, "内部")


class Achievement(Model):
    title: Text = f("成果名称", "成果名称", "转炉大修炉寿突破1983炉", required=True)
    category: enum(vocab.ACHIEVEMENT_CATEGORIES) = f(
        "类别", "科技进步奖、专利、QC成果、合理化建议、技术攻关、经济技术指标等", "经济技术指标", required=True
    )
    date: PartialDateType = f("日期", "取得日期，可只写年或年月", "2023-06", required=True)
    org: OrgRef | None = f("组织", "取得成果的组织", "jl-zhibu")
    people: list[PersonRef] = fl("完成人", "完成人员", ["zhang-wei"])
    award: Award | None = f("获奖", "获奖情况", {"name": "集团科技进步奖", "level": "集团级", "grade": "二等奖"})
    metrics: list[Metric] = fl(
        "指标",
        "指标数值；同名指标跨记录绘制趋势",
        [{"name": "转炉炉寿", "value": 1983, "unit": "炉", "previous": 1650, "better": "higher"}],
    )
    project: ProjectRef | None = f("项目", "所属攻关项目的编号", "zhuanlu-shouming")
    description: MarkdownText | None = f("说明", "说明（可用 Markdown）", "通过优化耐材砌筑延长炉寿。")
    attachments: list[AttachmentPath] = fl("附件", ATTACHMENTS, ["achievements/报告.pdf"])
    tags: list[Text] = fl("标签", TAGS, ["降本增效"])
    visibility: enum(vocab.VISIBILITIES) | None = f("公开范围", VISIBILITY, "内部")


class Activity(Model):
    title: Text = f("活动名称", "活动名称", "“匠心”读书会第5期", required=True)
    kind: enum(vocab.ACTIVITY_KINDS) = f(
        "活动类型", "文化沙龙、读书会、帮扶、党员示范岗、志愿服务、劳动竞赛、培训、其他", "读书会", required=True
    )
    date: Date = f("日期", "活动日期", "2023-05-20", required=True)
    org: OrgRef = f("组织", "组织活动的组织", "jl-zhibu", required=True)
    people: list[PersonRef] = fl("参加人员", "参加人员", ["zhang-wei"])
    summary: MarkdownText | None = f("活动纪要", "活动纪要（可用 Markdown）", "交流《大国工匠》读后感。")
    attachments: list[AttachmentPath] = fl("附件", ATTACHMENTS, ["activities/合影.jpg"])
    tags: list[Text] = fl("标签", TAGS, ["读书"])
    visibility: enum(vocab.VISIBILITIES) | None = f("公开范围", VISIBILITY, "内部")


class Project(Model):
    title: Text = f("项目名称", "项目名称", "转炉炉寿提升攻关", required=True)
    kind: enum(vocab.PROJECT_KINDS) = f(
        "项目类型", "揭榜挂帅、科技攻关、两带两创、QC课题、其他", "揭榜挂帅", required=True
    )
    leader: PersonRef = f("负责人", "项目负责人（挂帅人）", "zhang-wei", required=True)
    start: PartialDateType = f("开始", "开始日期，可只写年或年月", "2023-01", required=True)
    end: PlannedPartialDate | None = f("结束", "结束日期", "2023-12")
    status: enum(vocab.PROJECT_STATUSES) | None = f("状态", "进行中、已结题、已终止", "进行中")
    org: OrgRef | None = f("组织", "承担项目的组织", "jl-zhibu")
    members: list[PersonRef] = fl("成员", "项目成员", ["li-na"])
    mentor: PersonRef | None = f("导师", "指导人", "wang-qiang")
    goal: MarkdownText | None = f("目标", "攻关目标（可用 Markdown）", "炉寿提高到1900炉以上。")
    result: MarkdownText | None = f("成果", "结题成果（可用 Markdown）", "炉寿达到1983炉。")
    attachments: list[AttachmentPath] = fl("附件", ATTACHMENTS, ["projects/任务书.pdf"])
    tags: list[Text] = fl("标签", TAGS, ["揭榜挂帅"])
    visibility: enum(vocab.VISIBILITIES) | None = f("公开范围", VISIBILITY, "内部")


class Assessment(Model):
    scheme: Text = f("考核方案", "考核方案名称，如 双百", "双百", required=True)
    period: Period = f("期间", "YYYY-MM 或 YYYY", "2023-03", required=True)
    subject: Subject = f("考核对象", "只填一种：组织（org）或人员（person）", {"org": "jl-zhibu"}, required=True)
    items: list[Item] = fl(
        "考核项目",
        "各项满分与得分；总分自动计算，不要填写",
        [{"name": "三会一课", "category": "党建工作", "max": 10, "score": 9.5}],
        required=True,
    )
    notes: MarkdownText | None = f("说明", "考核说明（可用 Markdown）", "本月安全生产无事故。")
    attachments: list[AttachmentPath] = fl("附件", ATTACHMENTS, ["assessments/2023-03-评分表.pdf"])
    tags: list[Text] = fl("标签", TAGS, ["双百"])
    visibility: enum(vocab.VISIBILITIES) | None = f("公开范围", VISIBILITY, "内部")


@dataclass(frozen=True)
class Collection:
    """A folder of records under content/ and the model its files follow."""

    name: str
    model: type[Model]
    label: str


COLLECTIONS: dict[str, Collection] = {
    c.name: c
    for c in (
        Collection("orgs", Org, "组织"),
        Collection("people", Person, "人员"),
        Collection("meetings", Meeting, "会议"),
        Collection("honours", Honour, "荣誉"),
        Collection("achievements", Achievement, "成果"),
        Collection("activities", Activity, "活动"),
        Collection("projects", Project, "项目"),
        Collection("assessments", Assessment, "考核"),
    )
}
ARCHIVE = Collection("archive", Archive, "档案")


def _models_in(annotation: Any) -> set[type[Model]]:
    if isinstance(annotation, type) and issubclass(annotation, Model):
        return {annotation}
    return {m for arg in get_args(annotation) for m in _models_in(arg)}


def _field_names(model: type[Model]) -> set[str]:
    found = set()
    for name, info in model.model_fields.items():
        found.add(info.alias or name)
        for inner in _models_in(info.annotation):
            found |= _field_names(inner)
    return found


# Every field name as written in YAML, at any depth (load names a slip of "：" after one).
FIELD_NAMES = frozenset(n for c in (ARCHIVE, *COLLECTIONS.values()) for n in _field_names(c.model))
