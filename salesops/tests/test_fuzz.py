"""No input gives a 500: every URL's GET parameters and every form, with hostile values
(huge and negative integers, NUL bytes, impossible periods and dates, slashes, unicode).

Two passes per test: a deterministic one that sends every known parameter name with each
hostile value to every URL, and a bounded hypothesis search over random combinations.
Requests run in rolled-back savepoints on the access-matrix world (see world.py), so the
same data serves every example. Runs on SQLite and PostgreSQL (.ci/run runs both).
"""

from __future__ import annotations

import copy
import itertools
import traceback
from collections.abc import Mapping
from typing import Any

import pytest
from django import forms
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .urlwalk import Route, all_routes, is_admin, path_for
from .world import World, build_world

pytestmark = pytest.mark.django_db

#: Query and form parameter names the views read (collected from the code).
PARAMETERS = [
    "accuracy",
    "action",
    "all",
    "branch",
    "customer",
    "date_from",
    "date_order",
    "date_to",
    "day",
    "end",
    "finding",
    "format",
    "id",
    "ids",
    "is_case",
    "kind",
    "latitude",
    "longitude",
    "metric",
    "month",
    "name",
    "needs",
    "new_stage",
    "next",
    "next_step",
    "next_step_date",
    "no_visit",
    "note",
    "outcome",
    "own",
    "owner",
    "page",
    "period",
    "plan",
    "plan_item",
    "present",
    "problem",
    "purpose",
    "q",
    "rank",
    "reason",
    "rep",
    "review",
    "scope",
    "segment",
    "sheet",
    "show",
    "sort",
    "stage",
    "stalled",
    "start",
    "status",
    "submit",
    "team",
    "text",
    "to_stage",
    "week",
    "weeks",
]

HOSTILE = [
    "9999-W52",
    "0001-W01",
    "1-W1",
    "2026-W99",
    "2026-13",
    "9999-12",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "9" * 30,
    "-1",
    "-9223372036854775809",
    "18446744073709551616",
    "a/b",
    "x y",
    "\x00",
    "abc\x00def",
    "２０２６-１０",
    "../../etc/passwd",
    "' OR 1=1 --",
    "😀" * 50,
    '=HYPERLINK("http://evil.example")',
    "",
    "1e309",
    "NaN",
]


#: Values each URL gets in every parameter (overflowing periods and ids, NUL, a slash).
CRITICAL = ["9999-W52", "0001-W01", "9" * 30, "abc\x00def", "a/b"]


class _Rollback(Exception):
    pass


def send(client: Client, method: str, path: str, data: Mapping[str, Any]) -> str | None:
    """One request in a rolled-back savepoint; the traceback when it crashed or gave a 5xx."""
    cookies = copy.deepcopy(client.cookies)
    problem: str | None = None
    try:
        with transaction.atomic():
            try:
                send_one = client.get if method == "GET" else client.post
                response = send_one(path, data)
                if response.status_code >= 500:
                    problem = f"{response.status_code}"
            except Exception:  # noqa: BLE001 - any crash is the finding
                problem = traceback.format_exc(limit=-3)
            raise _Rollback
    except _Rollback:
        pass
    client.cookies = cookies
    return problem


APPS = {"accounts", "customers", "journals", "kpi", "weekly", "coaching"}


def form_field_names() -> list[str]:
    """Every field name of every Django form of the project's apps."""
    names: set[str] = set()
    stack = [forms.Form, forms.ModelForm]
    seen = set()
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub in seen:
                continue
            seen.add(sub)
            stack.append(sub)
            if sub.__module__.split(".")[0] in {
                "accounts",
                "customers",
                "journals",
                "kpi",
                "weekly",
                "coaching",
            }:
                names.update(getattr(sub, "base_fields", {}))
    return sorted(names)


def _routes() -> list[Route]:
    return [r for r in all_routes() if not is_admin(r) and r.name != "accounts:logout"]


def _clients(world: World) -> list[Client]:
    out = []
    for persona in ("rep", "supervisor", "admin"):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(world.users[persona])  # type: ignore[arg-type]
        out.append(client)
    return out


def _deterministic(world: World, method: str, names: list[str]) -> list[str]:
    problems = []
    clients = _clients(world)
    for number, route in enumerate(_routes()):
        path = path_for(route, world)
        for index, client in enumerate(clients):
            # Each request sends every name, each with a different hostile value, rotated
            # per URL and persona so every name meets every value on some URL.
            shift = number + index * 8
            values = itertools.islice(itertools.cycle(HOSTILE), shift, None)
            data = dict(zip(names, values, strict=False))
            if problem := send(client, method, path, data):
                problems.append(f"{method} {path} {data!r}\n{problem}")
        # The values that broke pages before, in every parameter at once, as the supervisor.
        for value in CRITICAL:
            data = dict.fromkeys(names, value)
            if problem := send(clients[1], method, path, data):
                problems.append(f"{method} {path} {data!r}\n{problem}")
    return problems


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SESSION_SAVE_EVERY_REQUEST = False
    return build_world()


def test_hostile_get_parameters_never_give_a_500(world):
    assert _deterministic(world, "GET", PARAMETERS) == []


def test_hostile_forms_never_give_a_500(world):
    names = sorted(set(form_field_names()) | set(PARAMETERS))
    assert _deterministic(world, "POST", names) == []


def test_random_parameters_never_give_a_500(world):
    routes = _routes()
    clients = _clients(world)
    names = sorted(set(form_field_names()) | set(PARAMETERS))
    problems: list[str] = []
    value = st.one_of(
        st.sampled_from(HOSTILE),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.text(st.characters(codec="utf-8"), max_size=30),
        st.dates().map(str),
    )

    @settings(
        max_examples=150,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        route=st.sampled_from(routes),
        client=st.sampled_from(clients),
        method=st.sampled_from(["GET", "POST"]),
        data=st.dictionaries(st.sampled_from(names), value, max_size=6),
    )
    def run(route: Route, client: Client, method: str, data: dict[str, str]) -> None:
        path = path_for(route, world)
        if problem := send(client, method, path, data):
            problems.append(f"{method} {path} {data!r}\n{problem}")

    run()
    assert problems == []
