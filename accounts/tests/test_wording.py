"""Separators of running text follow the language (accounts.wording; docs/architecture.md,
Conventions, "i18n"): Chinese text takes full-width "：" and "、", English ": " and ", ",
on the meeting pages and in notifications whose values are lists."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from accounts.notifying import notice, render
from accounts.wording import join_items, labelled
from coaching.models import Finding
from journals import services
from journals.tests.factories import local_dt, make_customer

DAY = dt.date(2026, 3, 4)


def test_separators_follow_the_active_language() -> None:
    template = Template('{% load salesops_format %}{{ "丁勇" }}{% label_sep %}{{ v|join_items }}')
    message = notice(
        "%(by)s chases the journals of %(team)s, %(day)s: %(names)s",
        by="徐娜",
        team="一组",
        day="2026-03-04",
        names=["丁勇", "马芳"],
    )
    with translation.override("zh-hans"):
        assert (labelled("丁勇", "未达计划"), join_items(["a", "b"])) == ("丁勇：未达计划", "a、b")
        assert template.render(Context({"v": ["拜访", "意向"]})) == "丁勇：拜访、意向"
        assert "丁勇、马芳" in render(message.as_json())
    with translation.override("en"):
        assert (labelled("Ding", "x"), join_items(["a", "b"])) == ("Ding: x", "a, b")
        assert template.render(Context({"v": ["a", "b"]})) == "丁勇: a, b"
        assert render(message.as_json()).endswith(": 丁勇, 马芳")


def test_the_morning_meeting_uses_full_width_separators_in_chinese(org, client_for) -> None:
    customer = make_customer(org.rep, stage="target")
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    services.visit_record(
        journal=journal,
        by=org.rep,
        customer=customer,
        purpose="first",
        occurred_at=local_dt(DAY, 10),
        channel="visit",
    )
    services.journal_submit(journal=journal, by=org.rep)
    Finding.objects.create(
        rep=org.rep,
        team=org.team_a,
        period_kind="month",
        period_start=dt.date(2026, 3, 1),
        symptom="low_activity",
        computed_at=local_dt(DAY, 20),
    )
    url = reverse("journals:morning_meeting") + f"?team={org.team_a.pk}&day=2026-03-05"
    client = client_for(org.supervisor)
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "03-04：" in zh
    assert "03-04: " not in zh
    assert "诊断发现：" in zh
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "03-04: " in en
    assert "Diagnosis findings: " in en
