"""A deterministic synthetic archive modelled on the demo: Chinese text, many people
references, metrics, several years. `python benchmarks/synth.py --records 10000 --out DIR`.

The mix follows the demo archive: about 70% meetings (every 三会一课 type, with
attendees taken from the memberships so the check stays quiet), assessments,
activities, achievements with metrics, honours and projects.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

WORDS = [
    "阳极炉",
    "转炉",
    "电解",
    "精炼",
    "吹炼",
    "浇铸",
    "残极",
    "电流效率",
    "炉寿",
    "天然气",
    "单耗",
    "安全",
    "环保",
    "质量",
    "成本",
    "节能",
    "降耗",
    "攻关",
    "技改",
    "岗位",
    "练兵",
    "班组",
    "党员",
    "先锋",
    "示范",
    "责任区",
    "隐患",
    "排查",
    "培训",
    "学习",
    "条例",
    "纪律",
    "作风",
    "创新",
    "指标",
    "突破",
    "优化",
    "改进",
    "设备",
    "检修",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = [
    "建华",
    "志强",
    "海燕",
    "晓东",
    "红梅",
    "国庆",
    "立新",
    "春生",
    "秀英",
    "文军",
    "丽娟",
    "永刚",
    "德明",
    "桂兰",
    "振宇",
    "晓燕",
    "宏伟",
    "玉珍",
    "家豪",
    "子涵",
    "明轩",
    "思远",
]
TYPES = ("支委会", "党小组会", "主题党日", "党员大会", "党课")


def text(rnd: random.Random, words: int) -> str:
    return "，".join("".join(rnd.choice(WORDS) for _ in range(rnd.randint(2, 4))) for _ in range(words // 3)) + "。"


def write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def people_list(key: str, ids: list[str]) -> list[str]:
    return [f"{key}:", *(f"  - {p}" for p in ids)] if ids else []


def generate(out: Path, records: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    branches = max(3, records // 800)
    years = max(2, records // 2500)
    start = date(2026 - years, 1, 1)
    write(out / "archive.yaml", ["name: 合成测试档案", "owner: dw", f"since: {start.isoformat()[:7]}"])
    write(out / "orgs/dw.yaml", ["name: 合成党委", "kind: 党委"])
    members: dict[str, list[str]] = {}
    committee: dict[str, list[str]] = {}
    person_number = 0
    for b in range(branches):
        branch = f"zb{b:03d}"
        groups = [f"{branch}-g{g}" for g in range(2)]
        for g, group in enumerate(groups):
            write(
                out / f"orgs/{group}.yaml",
                [f"name: 第{b + 1}党支部{'甲乙' if g == 0 else '丙丁'}班党小组", "kind: 党小组", f"parent: {branch}"],
            )
            members[group] = []
            for _ in range(6):
                person_number += 1
                pid = f"p{person_number:05d}"
                name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + str(person_number)
                write(
                    out / f"people/{pid}.yaml",
                    [
                        f"name: {name}",
                        "status: 正式党员",
                        f"post: {rnd.choice(WORDS)}工",
                        "memberships:",
                        f"  - org: {group}",
                        "    from: 2000-01-01",
                    ],
                )
                members[group].append(pid)
        committee[branch] = [members[groups[0]][0], members[groups[1]][0], members[groups[0]][1]]
        write(
            out / f"orgs/{branch}.yaml",
            [
                f"name: 第{b + 1}生产线党支部",
                "kind: 党支部",
                "parent: dw",
                f"line: 第{b + 1}生产线",
                "officers:",
                *(f"  - {{person: {p}, role: 委员}}" for p in committee[branch]),
            ],
        )
    branch_ids = sorted(committee)
    day_span = (date(2025, 12, 31) - start).days
    made = 0
    kinds = (
        ["meetings"] * 70
        + ["assessments"] * 12
        + ["activities"] * 8
        + ["achievements"] * 5
        + ["honours"] * 3
        + ["projects"] * 2
    )
    while made < records:
        kind = rnd.choice(kinds)
        branch = rnd.choice(branch_ids)
        day = start + timedelta(days=rnd.randint(0, day_span))
        rid = f"r{made:06d}"
        folder = out / kind / str(day.year)
        if kind == "meetings":
            meeting_type = rnd.choice(TYPES)
            org = f"{branch}-g{rnd.randint(0, 1)}" if meeting_type == "党小组会" else branch
            expected = (
                committee[branch]
                if meeting_type == "支委会"
                else (members[org] if org in members else members[f"{branch}-g0"] + members[f"{branch}-g1"])
            )
            absent = [p for p in expected if rnd.random() < 0.1]
            lines = [
                f"type: {meeting_type}",
                f"title: 第{branch[2:]}支部{day.year}年第{made % 12 + 1}次{meeting_type}",
                f"org: {org}",
                f"date: {day.isoformat()}",
                "time: 16:30-17:30",
                f"host: {committee[branch][0]}",
                *people_list("attendees", [p for p in expected if p not in absent]),
                *(["absent:", *(f"  - {{person: {p}, reason: 倒班}}" for p in absent)] if absent else []),
                "agenda:",
                f"  - title: 研究{rnd.choice(WORDS)}{rnd.choice(WORDS)}工作",
                "    kind: 讨论",
                f"    notes: {text(rnd, 30)}",
                f"summary: {text(rnd, 90)}",
                "actions:",
                f"  - task: 落实{rnd.choice(WORDS)}措施",
                f"    owner: {committee[branch][1]}",
                f"    due: {(day + timedelta(days=20)).isoformat()}",
                "    status: 进行中",
                "tags:",
                f"  - {rnd.choice(WORDS)}",
            ]
            if meeting_type == "党课":
                lines.append("lecturer: 厂党委书记")
        elif kind == "assessments":
            lines = [
                "scheme: 双百",
                f"period: {day.isoformat()[:7]}",
                f"subject: {{org: {branch}}}",
                "items:",
                *(
                    f"  - {{name: {c}, category: {c}, max: 20, score: {20 - rnd.randint(0, 4)}}}"
                    for c in ("党建", "安全", "生产", "成本", "团队")
                ),
            ]
        elif kind == "activities":
            lines = [
                f"title: {rnd.choice(WORDS)}{rnd.choice(['读书会', '文化沙龙', '志愿服务'])}",
                "kind: 读书会",
                f"date: {day.isoformat()}",
                f"org: {branch}",
                *people_list("people", members[f"{branch}-g0"]),
                f"summary: {text(rnd, 60)}",
            ]
        elif kind == "achievements":
            lines = [
                f"title: {rnd.choice(WORDS)}{rnd.choice(WORDS)}指标突破",
                "category: 经济技术指标",
                f"date: {day.isoformat()[:7]}",
                f"org: {branch}",
                *people_list("people", committee[branch][:2]),
                "metrics:",
                f"  - {{name: 第{branch[2:]}线炉寿, value: {1500 + made % 700}, unit: 炉, better: higher}}",
                f"description: {text(rnd, 40)}",
            ]
        elif kind == "honours":
            lines = [
                f"title: {rnd.choice(['工人先锋号', '先进基层党组织', '优秀共产党员'])}",
                "level: 公司级",
                f"date: {day.isoformat()[:7]}",
                "recipients:",
                f"  - org: {branch}",
            ]
        else:
            lines = [
                f"title: {rnd.choice(WORDS)}攻关项目",
                "kind: 揭榜挂帅",
                f"leader: {committee[branch][0]}",
                f"start: {day.isoformat()[:7]}",
                f"org: {branch}",
                *people_list("members", committee[branch][1:]),
                f"goal: {text(rnd, 30)}",
            ]
        write(folder / f"{rid}.yaml", lines)
        made += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.out, args.records, args.seed)


if __name__ == "__main__":
    main()
