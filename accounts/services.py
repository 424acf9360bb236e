"""Writes for accounts: users, memberships and notifications (docs/architecture.md: services)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from . import notifying
from .models import ApiToken, Membership, Notification, OrgUnit, User
from .scoping import active_memberships, local_today


@transaction.atomic
def user_deactivate(*, user: User) -> int:
    """Deactivate ``user`` and end every session they have. Returns sessions deleted.

    Sessions are found by decoding them, which is linear in the number of live
    sessions; deactivation is rare, so that is acceptable.
    """
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


#: User fields an admin (or an HR sync through the API) may set.
USER_FIELDS = ("display_name", "first_name", "last_name", "email", "phone", "employee_no")


@transaction.atomic
def user_create(
    *, username: str, password: str | None = None, is_staff: bool = False, **fields: str
) -> User:
    """Create an active user (an admin's action, or an HR sync through the API).

    ``fields`` are among :data:`USER_FIELDS`. Without ``password`` the user cannot log
    in with one until it is set (a password reset mail, say). Raises ValidationError for
    a taken user name or employee number, or an invalid field or password.
    """
    unknown = set(fields) - set(USER_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be set here: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    user = User(username=username, is_staff=is_staff, **fields)
    if password:
        password_validation.validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def user_update(*, user: User, **fields: str) -> User:
    """Write the given :data:`USER_FIELDS` of ``user``; ValidationError as in
    :func:`user_create`."""
    unknown = set(fields) - set(USER_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be set here: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def membership_end(*, membership: Membership, end: dt.date | None = None) -> Membership:
    """End ``membership`` on ``end`` (default: today). The row stays, so past KPIs keep
    their team (docs/domain, section 1). Raises ValidationError when it ended already or
    ``end`` is before its start."""
    end = end or local_today()
    if membership.end is not None and membership.end < end:
        raise ValidationError({"end": _("This membership has ended already.")})
    if end < membership.start:
        raise ValidationError({"end": _("The end cannot be before the start.")})
    membership.end = end
    membership.save(update_fields=["end"])
    return membership


@transaction.atomic
def membership_start(
    *, user: User, unit: OrgUnit, role: str, start: dt.date | None = None
) -> Membership:
    """Put ``user`` in ``unit`` with ``role`` from ``start`` (default today).

    A rep or supervisor belongs to one team at a time: their open rep/supervisor
    membership ends the day before ``start``, so history stays (docs/domain section 1).
    Raises ValidationError for an invalid unit/role pair or a start before the
    open membership's own start.
    """
    start = start or local_today()
    if role in {Membership.Role.REP, Membership.Role.SUPERVISOR}:
        open_rows = Membership.objects.select_for_update().filter(
            user=user, role__in=[Membership.Role.REP, Membership.Role.SUPERVISOR], end__isnull=True
        )
        for row in open_rows:
            if row.start >= start:
                raise ValidationError(
                    _("The new membership must start after %(day)s.") % {"day": row.start}
                )
            row.end = start - dt.timedelta(days=1)
            row.save(update_fields=["end"])
    membership = Membership(user=user, unit=unit, role=role, start=start)
    membership.full_clean()
    membership.save()
    return membership


def team_members(*, team: OrgUnit, day: dt.date | None = None) -> list[Membership]:
    """Memberships of ``team`` active on ``day``, supervisors first, then by name."""
    day = day or local_today()
    rows = list(
        Membership.objects.filter(active_memberships(day), unit=team).select_related("user")
    )
    order: dict[str, int] = {
        Membership.Role.SUPERVISOR: 0,
        Membership.Role.MANAGER: 1,
        Membership.Role.REP: 2,
    }
    rows.sort(key=lambda m: (order.get(m.role, 9), m.user.username))
    return rows


def notification_send(
    *,
    user: User,
    key: str,
    title: str | Promise | notifying.Notice,
    body: str | Promise | notifying.Notice = "",
    url: str = "",
) -> Notification | None:
    """Send an in-app notification once per (user, key). Returns None if already sent.

    ``title`` and ``body`` are plain text, a lazy translation, or
    :class:`accounts.notifying.Notice` (code and values): a Notice is stored as such and
    shown in the reader's language; the plain ``title``/``body`` columns get lazy texts and
    Notices in the recipient's language (User.language).
    Safe to call twice concurrently: the unique constraint decides, the loser returns None.
    """
    message = {
        name: value.as_json()
        for name, value in (("title", title), ("body", body))
        if isinstance(value, notifying.Notice)
    }
    with translation.override(notifying.language_of(user)):
        title_text, body_text = str(title)[:200], str(body)
    try:
        with transaction.atomic():
            return Notification.objects.create(
                user=user, key=key, title=title_text, body=body_text, message=message, url=url
            )
    except IntegrityError:
        return None


def notification_deliver(
    *,
    user: User,
    key: str,
    title: str | Promise | notifying.Notice,
    body: str | Promise | notifying.Notice = "",
    url: str = "",
) -> bool:
    """:func:`notification_send`, and when it is new and the user has an e-mail address,
    the same text by e-mail after commit, written in the recipient's language
    (``User.language``) with the site's address before ``url`` (settings ``SITE_URL``).
    Returns True when this call sent it (False: the key was already used)."""
    sent = notification_send(user=user, key=key, title=title, body=body, url=url)
    if sent is None:
        return False
    if user.email:
        with translation.override(notifying.language_of(user)):
            subject, text = sent.shown_title, sent.shown_body
        text = f"{text}\n\n{site_url()}{sent.url}".strip()
        address = user.email
        transaction.on_commit(lambda: send_mail(subject, text, None, [address]))
    return True


def site_url() -> str:
    """The site's address for links in e-mails (settings.SITE_URL without a trailing
    slash, else empty: the links stay relative)."""
    return str(getattr(settings, "SITE_URL", "") or "").rstrip("/")


def user_set_language(*, user: User, language: str) -> User:
    """Save ``language`` (a code of settings.LANGUAGES, or "" for the browser's) as the
    user's language. ValidationError for an unknown code."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all unread when ``ids`` is None). Returns count."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())


#: The lifetimes a new API token may have, in days (None: until revoked).
TOKEN_LIFETIMES_DAYS = (30, 90, 365, None)
#: At most this many live tokens per user (settings.REST_KNOX, TOKEN_LIMIT_PER_USER).
TOKEN_LIMIT = 20


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_in_days: int | None = 90
) -> tuple[ApiToken, str]:
    """Create a named API token for ``user``; returns (row, token text).

    The token text is shown once: only its SHA-512 digest is stored (django-rest-knox).
    ``expires_in_days`` is one of :data:`TOKEN_LIFETIMES_DAYS` (None: until revoked).
    Expired tokens of the user are deleted first. Raises ValidationError for an empty or
    repeated name, an unknown lifetime, or more than :data:`TOKEN_LIMIT` live tokens.
    """
    name = (name or "").strip()
    now = timezone.now()
    ApiToken.objects.filter(user=user, expiry__lt=now).delete()
    live = ApiToken.objects.select_for_update().filter(user=user)
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the system that uses it.")})
    if live.filter(name=name).exists():
        raise ValidationError({"name": _("You already have a token with this name.")})
    if expires_in_days not in TOKEN_LIFETIMES_DAYS:
        raise ValidationError({"expires_in_days": _("Choose 30, 90 or 365 days, or none.")})
    if live.count() >= TOKEN_LIMIT:
        raise ValidationError(
            _("You have %(n)s tokens already; revoke one first.") % {"n": TOKEN_LIMIT}
        )
    expiry = dt.timedelta(days=expires_in_days) if expires_in_days else None
    token, text = ApiToken.objects.create(user=user, expiry=expiry, name=name[:80])
    return token, text


def api_tokens_of(*, user: User) -> list[ApiToken]:
    """The user's live (not expired) API tokens, newest first."""
    now = timezone.now()
    rows = ApiToken.objects.filter(user=user).exclude(expiry__lt=now)
    return list(rows.order_by("-created"))


@transaction.atomic
def api_token_revoke(*, user: User, token_key: str) -> bool:
    """Revoke (delete) the user's token whose key (its first characters) is ``token_key``.
    Returns False when the user has no such token: nobody revokes another's token."""
    deleted, _rows = ApiToken.objects.filter(user=user, token_key=token_key).delete()
    return deleted > 0
