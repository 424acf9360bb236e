"""Every word a user reads is in the viewer's language: the main pages of the daily loop
and of coaching, walked in zh-hans and in English, show no catalogue string of the other
language (docs/architecture.md, Conventions: UI in zh-hans and English).

A zh-hans page fails on an English msgid of the catalogue (a phrase of three words or
more that has its own Chinese translation); an English page fails on a Chinese msgstr of
five characters or more. Only the text people read is checked (scripts and tags left out).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.services import notification_send
from coaching import services as coaching_services
from coaching.models import Symptom
from coaching.tests.factories import make_finding
from journals import services as journal_services
from journals.tests.factories import make_customer, plan, submitted, visit

pytestmark = pytest.mark.django_db

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _catalogue() -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs without placeholders, plural forms or context."""
    pairs = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        if "msgid_plural" in block or "msgctxt" in block:
            continue
        ids = re.findall(r'^msgid ((?:".*"\n?)+)', block, re.M)
        strs = re.findall(r"^msgstr ((?:\".*\"\n?)+)", block, re.M)
        if not ids or not strs:
            continue
        msgid = "".join(re.findall(r'"(.*)"', ids[0])).replace('\\"', '"')
        msgstr = "".join(re.findall(r'"(.*)"', strs[0])).replace('\\"', '"')
        if msgid and msgstr and msgid != msgstr and "%" not in msgid and "{" not in msgid:
            pairs.append((msgid, msgstr))
    return pairs


CATALOGUE = _catalogue()
ENGLISH = sorted({i for i, _s in CATALOGUE if len(i.split()) >= 3 and not CJK.search(i)})
CHINESE = sorted({s for _i, s in CATALOGUE if len(CJK.findall(s)) >= 5})


def visible_text(page: str) -> str:
    """The text of an HTML page as read: no scripts, styles or tags; spaces collapsed."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


def _world(org) -> list[str]:
    """Data behind the pages (a submitted journal with a far check-in, a finding, a plan
    made from it, a notification); returns the URLs walked, as the supervisor."""
    day = timezone.localdate() - dt.timedelta(days=1)
    journal = journal_services.journal_get_or_create_today(rep=org.rep, day=day)
    customer = make_customer(org.rep, name="腾飞")
    plan(journal, "first", customer)
    visit(journal, customer, checkin_distance_m=2400, checked_in_at=timezone.now())
    submitted(journal)
    finding = make_finding(org.rep, org.team_a, symptom=Symptom.FEW_TARGETS)
    with_plan = make_finding(org.rep, org.team_a, symptom=Symptom.NO_FOLLOW_UP)
    coaching_plan = coaching_services.plan_create_from_finding(finding=with_plan, by=org.supervisor)
    notification_send(user=org.supervisor, key="t", title="腾飞")
    team = f"?team={org.team_a.pk}"
    return [
        reverse("journals:inbox") + f"{team}&day={day:%Y-%m-%d}",
        reverse("journals:journal_detail", args=[journal.pk]),
        reverse("journals:morning_meeting") + team,
        reverse("customers:customer_list"),
        reverse("coaching:heatmap") + f"{team}&period=2026-10",
        reverse("coaching:finding_detail", args=[finding.pk]),
        reverse("coaching:plan_create") + f"?finding={finding.pk}",
        reverse("coaching:plan_detail", args=[coaching_plan.pk]),
        reverse("coaching:plan_list"),
        reverse("coaching:rep_findings", args=[org.rep.pk]),
        reverse("accounts:notification_list"),
    ]


def test_zh_hans_pages_show_no_english_and_english_pages_no_chinese(client, org):
    urls = _world(org)
    client.force_login(org.supervisor)
    leaks = []
    for url in urls:
        zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert zh.status_code == 200, url
        text = visible_text(zh.content.decode())
        leaks += [f"zh {url}: {s!r}" for s in ENGLISH if s in text]
        en = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        text = visible_text(en.content.decode())
        leaks += [f"en {url}: {s!r}" for s in CHINESE if s in text]
    assert leaks == []


def test_diagnosis_and_seeded_plan_words_follow_the_viewer(client, org):
    """Causes, counter-measures, figure labels and a plan made from a finding: stored as
    codes with values, rendered in each viewer's language."""
    finding = make_finding(org.rep, org.team_a, symptom=Symptom.FEW_TARGETS)
    made = coaching_services.plan_create_from_finding(finding=finding, by=org.supervisor)
    client.force_login(org.supervisor)
    url = reverse("coaching:finding_detail", args=[finding.pk])
    zh = visible_text(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    en = visible_text(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "客户活动量不足" in zh
    assert "帮助选择目标客户并安排每日拜访" in zh
    assert "逾期的后期安排" in zh
    assert "Too little customer activity" in en
    assert "Overdue next steps" in en
    url = reverse("coaching:plan_detail", args=[made.pk])
    zh = visible_text(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    en = visible_text(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "帮助选择目标客户并安排每日拜访" in zh
    assert "Help choose target customers and plan the daily visits" in en
    assert "逾期的后期安排: 5" in zh
    assert "Overdue next steps: 5" in en
    assert made.measures.filter(code="choose_targets", description="").exists()
    assert made.problem_code == Symptom.FEW_TARGETS


def test_the_check_finds_a_leak():
    """The check itself: an English catalogue phrase on a Chinese page is caught."""
    assert "Too little customer activity" in ENGLISH
    assert "客户活动量不足" in CHINESE
    page = "<p>客户：<b>Too little customer activity</b></p><script>var x='Visit standard'</script>"
    text = visible_text(page)
    assert [s for s in ENGLISH if s in text] == ["Too little customer activity"]


def _leaks(client, url: str, *, post: dict | None = None) -> list[str]:
    found = []
    for language, words in (("zh-hans", ENGLISH), ("en", CHINESE)):
        if post is None:
            answer = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert answer.status_code == 200, url
        else:
            answer = client.post(url, post, HTTP_ACCEPT_LANGUAGE=language)
        text = visible_text(answer.content.decode())
        found += [f"{language} {url}: {s!r}" for s in words if s in text]
    return found


def test_meeting_owed_drill_pool_rules_and_weekly_pages_follow_the_viewer(client, org):
    """The minutes page (attendance, items, the robot button), meeting mode, who owes
    reports, a drill-down, the weekly editor's confirm step and the pool rules page with
    its refusals."""
    from journals.models import Exemption
    from weekly.models import WeeklyReport

    day = timezone.localdate()
    scope_args = {"team": org.team_a, "kind": "morning", "day": day, "by": org.supervisor}
    from accounts.scoping import scope_for

    scope = scope_for(org.supervisor, day)
    journal_services.minutes_save_notes(scope=scope, **scope_args, notes="复访计划")
    journal_services.action_item_add(
        scope=scope,
        **scope_args,
        item_kind="action",
        text="送报价",
        owner=org.rep,
        due=day + dt.timedelta(days=1),
    )
    Exemption.objects.create(user=org.teammate, kind="trip", start=day, end=day)
    week = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    report = WeeklyReport.objects.create(rep=org.rep, team=org.team_a, week=week)
    leaks = []
    client.force_login(org.supervisor)
    for url in (
        reverse("journals:minutes_detail") + f"?kind=morning&day={day:%Y-%m-%d}",
        reverse("journals:morning_meeting") + "?present=1",
        reverse("weekly:meeting") + "?present=1",
        reverse("weekly:owed"),
        reverse("kpi:drilldown") + "?scope=team:north-1&metric=funnel_target",
    ):
        leaks += _leaks(client, url)
    client.force_login(org.rep)
    leaks += _leaks(client, reverse("weekly:report_edit", args=[report.pk]))
    client.force_login(org.admin)
    leaks += _leaks(client, reverse("accounts:pool_rules"))
    bad = {
        "follow_up_rep_days": "5",
        "follow_up_supervisor_days": "2",
        "follow_up_pool_days": "1",
        "pool_release_days": "30",
        "auto_release_days": "3",
        "claim_limit": "x",
        "reclaim_cooldown_days": "",
    }
    leaks += _leaks(client, reverse("accounts:pool_rules"), post=bad)
    assert leaks == []
