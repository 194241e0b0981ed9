"""The Chinese words of the record format, in one place.

Each vocabulary maps canonical words to the aliases editors may type; records
always store the canonical word.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Vocabulary:
    """An enumerated value set with accepted aliases."""

    name: str
    words: tuple[str, ...]
    aliases: dict[str, str] = field(default_factory=dict)

    def canonical(self, value: object) -> object:
        """Return the canonical word for an alias; other values pass unchanged."""
        if isinstance(value, str):
            stripped = value.strip()
            return self.aliases.get(stripped, stripped)
        return value

    @property
    def accepted(self) -> list[str]:
        return [*self.words, *self.aliases]


ORG_KINDS = Vocabulary("组织类型", ("党委", "党总支", "党支部", "党小组"))
PERSON_STATUSES = Vocabulary(
    "政治面貌",
    ("正式党员", "预备党员", "发展对象", "入党积极分子", "群众"),
    {
        "中共党员": "正式党员",
        "中共正式党员": "正式党员",
        "中共预备党员": "预备党员",
        "积极分子": "入党积极分子",
        "入党发展对象": "发展对象",
    },
)
PARTY_MEMBER_STATUSES = frozenset({"正式党员", "预备党员"})
TALENT_CATEGORIES = Vocabulary("人才类别", ("技术", "管理", "操作"))
MEETING_TYPES = Vocabulary(
    "会议类型",
    ("党员大会", "支委会", "党小组会", "党课", "主题党日", "组织生活会", "民主评议党员", "其他"),
    {
        "支部党员大会": "党员大会",
        "支部大会": "党员大会",
        "支部委员会": "支委会",
        "支部委员会会议": "支委会",
        "党小组会议": "党小组会",
        "主题党日活动": "主题党日",
    },
)
AGENDA_KINDS = Vocabulary("议题类型", ("学习", "汇报", "讨论", "表决", "其他"))
ACTION_STATUSES = Vocabulary("落实状态", ("未开始", "进行中", "已完成", "已取消"))
CLOSED_ACTION_STATUSES = frozenset({"已完成", "已取消"})
VISIBILITIES = Vocabulary("公开范围", ("内部", "受限"))
RESTRICTED_MEETING = "受限会议"  # an exported row's title standing for a restricted meeting: counted, not described
HONOUR_LEVELS = Vocabulary("荣誉级别", ("国家级", "省部级", "地市级", "集团级", "公司级", "厂级"))
ACHIEVEMENT_CATEGORIES = Vocabulary(
    "成果类别",
    (
        "科技进步奖",
        "专利",
        "QC成果",
        "合理化建议",
        "技术攻关",
        "经济技术指标",
        "质量",
        "成本",
        "安全环保",
        "管理创新",
        "其他",
    ),
)
METRIC_DIRECTIONS = Vocabulary("指标方向", ("higher", "lower"))
ACTIVITY_KINDS = Vocabulary(
    "活动类型",
    ("文化沙龙", "读书会", "帮扶", "党员示范岗", "志愿服务", "劳动竞赛", "培训", "其他"),
)
PROJECT_KINDS = Vocabulary("项目类型", ("揭榜挂帅", "科技攻关", "两带两创", "QC课题", "其他"))
PROJECT_STATUSES = Vocabulary("项目状态", ("进行中", "已结题", "已终止"))
FREQUENCIES = Vocabulary("频次", ("monthly", "quarterly", "half-yearly", "yearly"))
# What a complete meeting record carries (archive.yaml `completeness`); the YAML field names are aliases.
RECORD_PARTS = Vocabulary(
    "记录要素",
    (
        *("时间", "地点", "主持人", "记录人", "实到人员", "缺席原因", "议程", "会议总结", "会前准备", "授课人"),
        *("题目", "决议", "表决", "责任人", "期限"),
    ),
    {
        "time": "时间",
        "location": "地点",
        "host": "主持人",
        "recorder": "记录人",
        "attendees": "实到人员",
        "absent.reason": "缺席原因",
        "agenda": "议程",
        "summary": "会议总结",
        "preparation": "会前准备",
        "lecturer": "授课人",
        "topic": "题目",
        "decisions": "决议",
        "decisions.votes": "表决",
        "actions.owner": "责任人",
        "actions.due": "期限",
    },
)
ALL_MEETINGS = "全部"
COMPLETENESS_SCOPES = Vocabulary("会议范围", (ALL_MEETINGS, *MEETING_TYPES.words), MEETING_TYPES.aliases)

# Which org kind may sit under which parent kind.
PARENT_KINDS: dict[str, frozenset[str]] = {
    "党委": frozenset({"党委"}),
    "党总支": frozenset({"党委"}),
    "党支部": frozenset({"党总支", "党委"}),
    "党小组": frozenset({"党支部"}),
}
