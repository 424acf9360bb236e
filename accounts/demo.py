"""The demo organisation for ``seed_demo``: one company, two branches, four teams,
an admin, two managers, four supervisors and twenty reps with Chinese names.

Deterministic: the same random seed gives the same people every time.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from pypinyin import lazy_pinyin

from .models import Membership, OrgSettings, OrgUnit, User
from .scoping import local_today

DEMO_PASSWORD = "salesops-demo"  # noqa: S105 - printed for the demo, never used in production

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓"
    "曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
)
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "晓东",
    "海燕",
    "志强",
    "建华",
    "雪梅",
    "文博",
    "子涵",
    "浩然",
    "欣怡",
    "宇航",
    "思远",
    "婷婷",
    "俊杰",
    "佳琪",
    "嘉怡",
    "一鸣",
    "梓轩",
    "晨曦",
]

TEAMS = [
    # code, name, branch code, segment
    ("east-1", "东城公众一组", "east", "mass"),
    ("east-key", "东城集客组", "east", "group"),
    ("west-1", "西城公众一组", "west", "mass"),
    ("west-2", "西城公众二组", "west", "mass"),
]


@dataclass
class DemoOrg:
    """What :func:`seed_org` built, for the other apps' demo seeders."""

    company: OrgUnit
    teams: list[OrgUnit]
    admin: User
    managers: list[User]
    supervisors: dict[int, User]  # team id -> supervisor
    reps: dict[int, list[User]] = field(default_factory=dict)  # team id -> reps today
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # role, username, name


def _username(name: str, taken: set[str]) -> str:
    base = "".join(lazy_pinyin(name))
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}{n}", n + 1
    taken.add(candidate)
    return candidate


def _person(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name not in used:
            used.add(name)
            return name


def _user(username: str, name: str, employee_no: str, *, staff: bool = False) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": name,
            "employee_no": employee_no,
            "email": f"{username}@demo.salesops.local",
            "phone": f"139{int(employee_no[1:]):08d}",
            "is_staff": staff,
            "is_superuser": staff,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def seed_org(rng: random.Random) -> DemoOrg:
    """Create (or find) the demo organisation; safe to run twice."""
    OrgSettings.load()
    company, _ = OrgUnit.objects.get_or_create(
        code="xinghai", defaults={"name": "星海通信有限公司", "kind": OrgUnit.Kind.COMPANY}
    )
    branches = {}
    for code, name in [("east", "东城分公司"), ("west", "西城分公司")]:
        branches[code], _ = OrgUnit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": OrgUnit.Kind.BRANCH, "parent": company}
        )
    teams = []
    for code, name, branch, segment in TEAMS:
        team, _ = OrgUnit.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": OrgUnit.Kind.TEAM,
                "parent": branches[branch],
                "segment": segment,
            },
        )
        teams.append(team)

    taken: set[str] = set()
    used_names: set[str] = set()
    start = local_today().replace(day=1) - dt.timedelta(days=540)
    start = start.replace(day=1)
    admin = _user("admin", "系统管理员", "E0001", staff=True)
    taken.add("admin")
    org = DemoOrg(company=company, teams=teams, admin=admin, managers=[], supervisors={})
    org.logins.append(("admin", "admin", admin.name))
    number = 100
    for branch_code in ("east", "west"):
        name = _person(rng, used_names)
        number += 1
        manager = _user(_username(name, taken), name, f"E{number:04d}")
        _ensure_membership(manager, branches[branch_code], Membership.Role.MANAGER, start)
        org.managers.append(manager)
        org.logins.append(
            ("manager", manager.username, f"{manager.name} · {branches[branch_code]}")
        )
    for team in teams:
        name = _person(rng, used_names)
        number += 1
        supervisor = _user(_username(name, taken), name, f"E{number:04d}")
        _ensure_membership(supervisor, team, Membership.Role.SUPERVISOR, start)
        org.supervisors[team.pk] = supervisor
        org.logins.append(("supervisor", supervisor.username, f"{supervisor.name} · {team}"))
        org.reps[team.pk] = []
        for i in range(5):
            name = _person(rng, used_names)
            number += 1
            rep = _user(_username(name, taken), name, f"E{number:04d}")
            _ensure_membership(rep, team, Membership.Role.REP, start)
            org.reps[team.pk].append(rep)
            if i == 0:
                org.logins.append(("rep", rep.username, f"{rep.name} · {team}"))
    _demo_team_move(org, start)
    return org


def _ensure_membership(user: User, unit: OrgUnit, role: str, start: dt.date) -> None:
    if not Membership.objects.filter(user=user).exists():
        Membership.objects.create(user=user, unit=unit, role=role, start=start)


def _demo_team_move(org: DemoOrg, start: dt.date) -> None:
    """One rep moved from west-2 to west-1 four months ago, so history shows a move."""
    west1, west2 = org.teams[2], org.teams[3]
    mover = org.reps[west2.pk][-1]
    move_day = (local_today().replace(day=1) - dt.timedelta(days=100)).replace(day=16)
    rows = list(Membership.objects.filter(user=mover).order_by("start"))
    if len(rows) == 1 and rows[0].unit_id == west2.pk:
        rows[0].end = move_day - dt.timedelta(days=1)
        rows[0].save(update_fields=["end"])
        Membership.objects.create(user=mover, unit=west1, role=Membership.Role.REP, start=move_day)
    org.reps[west2.pk].remove(mover)
    org.reps[west1.pk].append(mover)


def reset_org() -> None:
    """Delete the demo organisation and its people (for ``seed_demo --reset``)."""
    codes = ["xinghai", "east", "west", *[t[0] for t in TEAMS]]
    units = OrgUnit.objects.filter(code__in=codes)
    users = User.objects.filter(memberships__unit__in=units).distinct()
    User.objects.filter(pk__in=list(users.values_list("pk", flat=True))).delete()
    User.objects.filter(username="admin").delete()
    for kind in (OrgUnit.Kind.TEAM, OrgUnit.Kind.BRANCH, OrgUnit.Kind.COMPANY):
        OrgUnit.objects.filter(code__in=codes, kind=kind).delete()
