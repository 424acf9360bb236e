"""Meeting minutes, decisions and action items (docs/domain, sections 3 and 4): items come
back at the next meeting until done, completion is tracked, other teams cannot read or
write them, and the minutes export as .xlsx."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from accounts.scoping import scope_for
from journals import selectors, services
from journals.models import ActionItem, MeetingMinutes

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 12, 7)
TUESDAY = dt.date(2026, 12, 8)


def add(org, day, text, *, owner=None, due=None, item_kind="action", kind="morning"):
    return services.action_item_add(
        scope=scope_for(org.supervisor, day),
        team=org.team_a,
        kind=kind,
        day=day,
        item_kind=item_kind,
        text=text,
        owner=owner if owner is not None else (org.rep if item_kind == "action" else None),
        due=due or day + dt.timedelta(days=3),
        by=org.supervisor,
    )


def test_open_action_items_come_back_at_the_next_meeting_until_done(org):
    first = add(org, MONDAY, "送报价给腾飞")
    add(org, MONDAY, "每天八点前交计划", item_kind="decision")
    second = add(org, MONDAY, "约华信复访", owner=org.teammate)
    view = selectors.minutes_view(team=org.team_a, kind="morning", day=TUESDAY)
    assert [i.text for i in view.carried] == ["送报价给腾飞", "约华信复访"]
    services.action_item_set_done(
        scope=scope_for(org.supervisor, TUESDAY),
        item=first,
        done=True,
        kind="morning",
        day=TUESDAY,
        by=org.supervisor,
    )
    first.refresh_from_db()
    assert first.done_in is not None
    assert first.done_in.day == TUESDAY
    assert first.done_by == org.supervisor
    # still shown (ticked) at the meeting where it was done, gone from the one after
    assert {
        i.pk for i in selectors.minutes_view(team=org.team_a, kind="morning", day=TUESDAY).carried
    } == {first.pk, second.pk}
    later = selectors.minutes_view(
        team=org.team_a, kind="morning", day=TUESDAY + dt.timedelta(days=1)
    )
    assert [i.pk for i in later.carried] == [second.pk]
    # the weekly meeting of the same team sees open morning-meeting items too
    weekly = selectors.minutes_view(
        team=org.team_a, kind="weekly", day=MONDAY + dt.timedelta(days=7)
    )
    assert [i.pk for i in weekly.carried] == [second.pk]


def test_action_item_needs_an_owner_of_the_team_and_a_due_date(org):
    with pytest.raises(ValidationError) as exc:
        services.action_item_add(
            scope=scope_for(org.supervisor, MONDAY),
            team=org.team_a,
            kind="morning",
            day=MONDAY,
            item_kind="action",
            text=" ",
            owner=org.rep_b,
            due=MONDAY - dt.timedelta(days=1),
            by=org.supervisor,
        )
    assert set(exc.value.message_dict) == {"text", "owner", "due"}
    assert ActionItem.objects.count() == 0


def test_a_rep_cannot_keep_the_minutes(org):
    with pytest.raises(PermissionDenied):
        services.minutes_save_notes(
            scope=scope_for(org.rep, MONDAY),
            team=org.team_a,
            kind="morning",
            day=MONDAY,
            notes="x",
            by=org.rep,
        )


def test_supervisor_records_minutes_and_items_through_the_pages(org, client_for):
    client = client_for(org.supervisor)
    base = {"kind": "morning", "team": org.team_a.pk, "day": MONDAY.isoformat()}
    response = client.post(
        "/journals/meetings/minutes/save/", {**base, "notes": "晨会纪要"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert MeetingMinutes.objects.get().notes == "晨会纪要"
    response = client.post(
        "/journals/meetings/items/",
        {
            **base,
            "item_kind": "action",
            "text": "=HYPERLINK(1)",
            "owner": org.rep.pk,
            "due": "2026-12-10",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "=HYPERLINK(1)" in response.content.decode()
    response = client.post(
        "/journals/meetings/items/",
        {**base, "item_kind": "action", "text": "x", "owner": org.rep.pk, "due": "31/12"},
        HTTP_HX_REQUEST="true",
    )
    assert "YYYY-MM-DD" in response.content.decode()
    assert ActionItem.objects.count() == 1
    page = client.get("/journals/meetings/minutes/", base)
    assert "晨会纪要" in page.content.decode()
    export = client.get("/journals/meetings/minutes/export/", base)
    sheet = load_workbook(io.BytesIO(export.content)).active
    texts = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert "=HYPERLINK(1)" in texts
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_another_team_cannot_read_or_change_the_minutes(org, client_for):
    item = add(org, MONDAY, "送报价")
    base = {"kind": "morning", "team": org.team_a.pk, "day": MONDAY.isoformat()}
    client = client_for(org.supervisor_b)
    assert client.get("/journals/meetings/minutes/", base).status_code == 404
    assert client.get("/journals/meetings/minutes/export/", base).status_code == 404
    assert (
        client.post("/journals/meetings/minutes/save/", {**base, "notes": "x"}).status_code == 404
    )
    own = {**base, "team": org.team_b.pk}
    assert (
        client.post(
            "/journals/meetings/items/done/", {**own, "item": item.pk, "done": "1"}
        ).status_code
        == 404
    )
    client = client_for(org.rep)
    assert client.get("/journals/meetings/minutes/", base).status_code == 404
    assert client.get("/journals/meetings/minutes/").status_code == 403
    item.refresh_from_db()
    assert item.done_at is None
    assert not MeetingMinutes.objects.filter(notes="x").exists()


def test_morning_meeting_page_shows_carried_items_in_meeting_mode(org, client_for):
    add(org, dt.date(2026, 1, 5), "上周的行动项")
    client = client_for(org.supervisor)
    response = client.get("/journals/morning-meeting/", {"present": "1"})
    body = response.content.decode()
    assert "data-deck" in body
    assert "上周的行动项" in body


def test_minutes_attendance_badges_wrap_a_long_name_like_meeting_mode(org, client_for):
    """At 375 px a long display name must wrap, not widen the page (the badge class that
    meeting mode's badges share the wrapping rule with)."""
    from pathlib import Path

    from django.conf import settings

    org.rep.display_name = "很长的名字" * 12  # the model's 60 characters
    org.rep.save(update_fields=["display_name"])
    client = client_for(org.supervisor)
    base = {"kind": "morning", "team": org.team_a.pk, "day": MONDAY.isoformat()}
    html = client.get("/journals/meetings/minutes/", base).content.decode()
    badge = html.split(org.rep.display_name)[0].rsplit("<span", 1)[1]
    assert 'data-testid="attendance-member"' in badge
    assert "attendance-badge" in badge
    css = (Path(settings.BASE_DIR) / "static/css/salesops.css").read_text()
    rule = next(line for line in css.splitlines() if ".attendance-badge" in line)
    assert "white-space: normal" in rule
    assert "overflow-wrap: anywhere" in rule
