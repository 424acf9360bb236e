"""Delivery to a team's group-robot channels (DingTalk, WeCom, Feishu): the supervisor's
settings, posting a topic's message, and one delivery attempt (run by the
``accounts.channel_deliver`` task, which retries with backoff).

Topics: ``digest`` (the morning digest), ``chases`` (催交), ``recognition`` (the
recognition board), ``follow_ups`` (overdue follow-ups), ``meetings`` (a meeting's
summary, posted by its supervisor). Messages are in the
organisation's language (a group has many readers).
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import notifying, robots
from .models import ChannelDelivery, OrgUnit, TeamChannel, User
from .scoping import scope_for

TOPICS = ("digest", "chases", "recognition", "follow_ups", "meetings")
DELIVER_TASK = "accounts.channel_deliver"


def webhook_url_check(url: str) -> None:
    """ValidationError naming the ``webhook_url`` field when ``url`` is not an allowed
    robot address (settings ``ROBOT_WEBHOOK_HOSTS``; see ``robots.url_problem``)."""
    problem = robots.url_problem(
        url,
        allowed_hosts=tuple(h.lower() for h in settings.ROBOT_WEBHOOK_HOSTS),
        allow_loopback=bool(settings.ROBOT_WEBHOOK_ALLOW_LOOPBACK),
    )
    if problem:
        raise ValidationError(
            {"webhook_url": _("This webhook address is not allowed: %(why)s.") % {"why": problem}}
        )


def _check_manager(by: User, team: OrgUnit) -> None:
    if not scope_for(by).can_manage_team(team.pk):
        raise PermissionDenied(_("Only the team's supervisor sets its channels."))


@transaction.atomic
def channel_save(
    *,
    team: OrgUnit,
    by: User,
    platform: str,
    webhook_url: str,
    secret: str = "",
    topics: tuple[str, ...] = TOPICS,
    is_active: bool = True,
) -> TeamChannel:
    """Create or replace the team's channel on ``platform`` (one per platform).

    PermissionDenied unless ``by`` supervises the team (or is an admin); ValidationError
    for a URL that is not allowed (:func:`webhook_url_check`) or an unknown platform. An
    empty ``secret`` keeps the stored one (the form never shows it back)."""
    _check_manager(by, team)
    webhook_url_check(webhook_url)
    channel = TeamChannel.objects.filter(team=team, platform=platform).first() or TeamChannel(
        team=team, platform=platform
    )
    channel.webhook_url = webhook_url.strip()
    if secret.strip():
        channel.secret = secret.strip()
    for topic in TOPICS:
        setattr(channel, f"post_{topic}", topic in topics)
    channel.is_active = is_active
    channel.full_clean()
    channel.save()
    return channel


@transaction.atomic
def channel_delete(*, channel: TeamChannel, by: User) -> None:
    """Remove a channel and its delivery log. PermissionDenied as :func:`channel_save`."""
    _check_manager(by, channel.team)
    channel.delete()


def team_post(*, team_id: int, topic: str, key: str, text: str | notifying.Notice) -> int:
    """Post ``text`` to each active channel of the team that takes ``topic``. A
    :class:`accounts.notifying.Notice` (code and values) is written in the organisation's
    language (settings ``LANGUAGE_CODE``: a group has readers of both languages). Each
    channel gets one delivery row (idempotent per channel and ``key``: a second post with
    the same key does nothing) and one ``accounts.channel_deliver`` task after commit. Returns the
    number of deliveries created. ValueError for an unknown topic."""
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}")
    channels = TeamChannel.objects.filter(
        team_id=team_id, is_active=True, **{f"post_{topic}": True}
    )
    if isinstance(text, notifying.Notice):
        with translation.override(settings.LANGUAGE_CODE):
            text = str(text)
    created = 0
    for channel in channels:
        try:
            with transaction.atomic():
                delivery = ChannelDelivery.objects.create(
                    channel=channel, key=key[:120], topic=topic, text=text[:4000]
                )
        except IntegrityError:
            continue
        created += 1
        transaction.on_commit(partial(_enqueue, delivery.pk))
    return created


def _enqueue(delivery_id: int) -> None:
    from salesops.celery import enqueue

    enqueue(DELIVER_TASK, args=[delivery_id])


def delivery_attempt(*, delivery_id: int, final: bool) -> str:
    """POST one pending delivery to its channel, signed for the platform. Returns '' when
    sent (or nothing to do), else the reason; the row keeps the count of attempts and the
    last error, and becomes *failed* when ``final``. Redirects are not followed, and the
    address is checked again (settings may have changed since it was saved)."""
    delivery = ChannelDelivery.objects.select_related("channel").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == ChannelDelivery.Status.SENT:
        return ""
    channel = delivery.channel
    try:
        webhook_url_check(channel.webhook_url)
        problem = _post(channel, delivery.text)
    except ValidationError as exc:
        problem = " ".join(exc.messages)
    delivery.attempts += 1
    if problem:
        delivery.last_error = problem[:300]
        if final:
            delivery.status = ChannelDelivery.Status.FAILED
    else:
        delivery.status = ChannelDelivery.Status.SENT
        delivery.sent_at = timezone.now()
        delivery.last_error = ""
    delivery.save(update_fields=["attempts", "last_error", "status", "sent_at"])
    return problem


def _post(channel: TeamChannel, text: str) -> str:
    url, body = robots.request_for(
        channel.platform,
        channel.webhook_url,
        channel.secret,
        text,
        now_ms=int(time.time() * 1000),
    )
    try:
        response = requests.post(
            url,
            json=body,
            timeout=settings.ROBOT_WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    payload: Any
    try:
        payload = response.json()
    except ValueError:
        payload = None
    return robots.response_problem(channel.platform, response.status_code, payload)


def channel_test(*, channel: TeamChannel, by: User) -> int:
    """Post a test message to the channel now (through the task, like any delivery)."""
    _check_manager(by, channel.team)
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    text = _("SalesOps test message for %(team)s, %(at)s") % {
        "team": channel.team.name,
        "at": stamp,
    }
    with transaction.atomic():
        delivery = ChannelDelivery.objects.create(
            channel=channel, key=f"test:{stamp}:{time.monotonic_ns()}", topic="test", text=text
        )
        transaction.on_commit(lambda: _enqueue(delivery.pk))
    return delivery.pk
