"""The access matrix: every URL of the project x every persona x GET and POST, against
the answer declared for it in :data:`EXPECTED` (docs/architecture.md, "Security").

A URL that is not declared fails :func:`test_every_url_is_declared`, so coverage cannot
drop silently when a page is added. Each request runs in a savepoint that is rolled back,
so the world is the same for every persona. A POST that is refused (login, 403, 404, 405)
must leave the database exactly as it was (:func:`fingerprint`).

Answers: ``ok`` (2xx, or a redirect that is not to a login page), ``login`` (redirect to a
login page, or 403 from the API for anonymous users), ``403``, ``404``, ``405``, ``400``;
``a|b`` accepts either (where SQLite and PostgreSQL differ).
A 500 is never expected. Personas (in this order): anonymous, rep (the owner of every
object), teammate, supervisor (of the rep's team), supervisor_b (another team, same
branch), manager_south (the other branch), former (left the rep's team), admin.

Run with ``MATRIX_DUMP=1`` to print the observed table instead of asserting it.
"""

from __future__ import annotations

import copy
import hashlib
import os

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client

from .expected_access import ADMIN_EXPECTED, ADMIN_OVERRIDES, EXPECTED
from .urlwalk import Route, all_routes, is_admin, path_for
from .world import PERSONAS, World, build_world

pytestmark = pytest.mark.django_db

#: Tables that change on any request and say nothing about a write.
IGNORED_TABLES = {
    "django_session",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
    "auth_permission",
    "django_content_type",
}


class _Rollback(Exception):
    pass


def fingerprint() -> str:
    """A hash of every row of every table but :data:`IGNORED_TABLES`."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        table = model._meta.db_table
        if table in IGNORED_TABLES or model._meta.proxy:
            continue
        rows = model._base_manager.order_by("pk").values_list()
        digest.update(table.encode())
        digest.update(repr(list(rows)).encode())
    return digest.hexdigest()


def write_counter() -> int:
    """Rows written so far on this connection (SQLite) or in this transaction (PostgreSQL,
    rolled-back savepoints included): a cheap "did anything write?" before the exact
    :func:`fingerprint` comparison."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
                " FROM pg_stat_xact_user_tables"
            )
        else:
            cursor.execute("SELECT total_changes()")
        return int(cursor.fetchone()[0])


def classify(response) -> str:
    """The response as one of the answer words of the module docstring."""
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        return "login" if "/login/" in location else "ok"
    if status < 300:
        return "ok"
    return str(status)


def request_as(
    client: Client, method: str, path: str, *, baseline: str | None = None
) -> tuple[str, bool]:
    """Send one request inside a rolled-back savepoint; (answer, database unchanged).

    ``baseline`` is the world's :func:`fingerprint` (the same before every request, since
    each is rolled back); without it the write check is skipped. The client's cookies are
    restored afterwards, so a logout does not sign the persona out for the next request.
    """
    outcome: dict[str, object] = {"unchanged": True}
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            counter = write_counter()
            response = client.get(path) if method == "GET" else client.post(path, {})
            outcome["answer"] = classify(response)
            if baseline is not None and write_counter() != counter:
                outcome["unchanged"] = fingerprint() == baseline
            raise _Rollback
    except _Rollback:
        pass
    client.cookies = cookies
    return str(outcome["answer"]), bool(outcome["unchanged"])


def expected_for(route: Route, method: str) -> list[str]:
    """The declared answers of ``route`` for ``method``, one per persona."""
    if is_admin(route):
        table = ADMIN_OVERRIDES.get(route.name, ADMIN_EXPECTED)
    else:
        table = EXPECTED[route.name]
    row = table[method]
    words = row.split()
    assert len(words) == len(PERSONAS), f"{route.name} {method}: {len(words)} answers"
    return words


def clients_for(world: World) -> dict[str, Client]:
    """One signed-in test client per persona (the anonymous one not signed in)."""
    clients = {}
    for persona in PERSONAS:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        user = world.users[persona]
        if user is not None:
            client.force_login(user)
        clients[persona] = client
    return clients


def test_every_url_is_declared() -> None:
    names = {r.name for r in all_routes() if not is_admin(r)}
    assert sorted(names - set(EXPECTED)) == [], "declare these URLs in expected_access.py"
    assert sorted(set(EXPECTED) - names) == [], "these declared URLs no longer exist"


@pytest.fixture
def tasks_in_process(settings):
    """Run background tasks inside the test, as in the SQLite pass, also when CI's second pass
    has a real worker: the worker would otherwise change the world (recomputes, reconciles)
    between two requests of the walk and the answers would depend on its timing."""
    from salesops.celery import app

    before = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.mark.parametrize("section", ["pages", "admin"])
@pytest.mark.usefixtures("tasks_in_process")
def test_access_matrix(section: str, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.SESSION_SAVE_EVERY_REQUEST = False  # fewer writes that say nothing
    world = build_world()
    clients = clients_for(world)
    baseline = fingerprint()
    dump = os.environ.get("MATRIX_DUMP")
    problems: list[str] = []
    rows: list[str] = []
    for route in all_routes():
        if is_admin(route) != (section == "admin"):
            continue
        path = path_for(route, world)
        observed: dict[str, list[str]] = {}
        for method in ("GET", "POST"):
            if section == "admin" and method == "POST":
                personas = [p for p in PERSONAS if p != "admin"]  # admin forms: admin's own tests
            else:
                personas = list(PERSONAS)
            wanted = None if dump else expected_for(route, method)
            answers = []
            for index, persona in enumerate(PERSONAS):
                if persona not in personas:
                    answers.append("-")
                    continue
                answer, unchanged = request_as(
                    clients[persona], method, path, baseline=baseline if method == "POST" else None
                )
                answers.append(answer)
                if answer in {"login", "403", "404", "405"} and not unchanged:
                    problems.append(f"{method} {path} as {persona}: refused ({answer}) but wrote")
                if wanted is not None and answer not in ("-", *wanted[index].split("|")):
                    problems.append(
                        f"{method} {path} ({route.name}) as {persona}: "
                        f"expected {wanted[index]}, got {answer}"
                    )
            observed[method] = answers
        rows.append(
            f'    "{route.name}": {{"GET": "{" ".join(observed["GET"])}", '
            f'"POST": "{" ".join(observed["POST"])}"}},'
        )
    if dump:
        print("\n".join(rows))  # noqa: T201 - the dump mode's output
    assert problems == []
