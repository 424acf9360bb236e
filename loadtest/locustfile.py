"""`make loadtest`: the day's mix on the production setup (docs/deploy.md, "Load").

Reps open Today, autosave their journal and record visits; supervisors read the inbox, the
morning meeting and a journal; managers open the KPI dashboards. Logins come from
``LOADTEST_USERS`` (a JSON file written by scripts/loadtest.sh from the demo organisation:
{"rep": [{"username", "customers": [id, ...]}], "supervisor": [...], "manager": [...]}).
Sessions are made beforehand (``session`` per login): people log in once a day, so the
``Login`` user logs in every 20-40 s instead. Think time 0.5-1.5 s. Every request is named
by page, so the report has one line per page.

The users are ``FastHttpUser`` (geventhttpclient, installed with locust): python-requests'
``HttpUser`` costs the load generator several times more CPU per request, and locust runs on
the same two cores as the server it measures. Cookies live in the client's ``cookiejar``
(http.cookiejar): ``_set_cookie``/``_cookie`` below.

When every user has spawned, the file ``LOADTEST_RAMPED_FILE`` (if set) is written: the
"during recompute" phase's background work (loadtest/background.py) starts then.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
from http.cookiejar import Cookie
from typing import Any

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpSession, FastHttpUser

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "salesops-demo")
with open(os.environ["LOADTEST_USERS"], encoding="utf-8") as fh:
    USERS: dict[str, list[dict[str, Any]]] = json.load(fh)
_next = {role: 0 for role in USERS}
_lock = threading.Lock()


@events.spawning_complete.add_listener
def _ramped(user_count: int, **_: Any) -> None:
    """Tell loadtest/background.py that the mix has ramped up (LOADTEST_RAMPED_FILE)."""
    path = os.environ.get("LOADTEST_RAMPED_FILE")
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(f"{user_count}\n")


def _take(role: str) -> dict[str, Any]:
    """Round-robin over the role's logins."""
    with _lock:
        people = USERS[role]
        person = people[_next[role] % len(people)]
        _next[role] += 1
        return person


def _cookie(client: FastHttpSession, name: str) -> str:
    """The value of the cookie ``name`` the server set on ``client``, or ""."""
    for cookie in client.cookiejar:
        if cookie.name == name:
            return cookie.value or ""
    return ""


def _set_cookie(client: FastHttpSession, name: str, value: str) -> None:
    """Send ``name=value`` with every later request of ``client`` (any host, path /)."""
    client.cookiejar.set_cookie(
        Cookie(
            version=0,
            name=name,
            value=value,
            port=None,
            port_specified=False,
            domain="",
            domain_specified=False,
            domain_initial_dot=False,
            path="/",
            path_specified=True,
            secure=False,
            expires=None,
            discard=True,
            comment=None,
            comment_url=None,
            rest={},
        )
    )


class _Person(FastHttpUser):
    abstract = True
    role = ""
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        # People log in once a day; a password check costs about a second of CPU on
        # purpose (PBKDF2), so the mix starts from sessions made by scripts/loadtest.sh
        # and only one user in ten logs in (weight of the Login user class).
        self.person = _take(self.role)
        _set_cookie(self.client, "sessionid", self.person["session"])
        self.client.get("/", name="home")

    def _post(self, url: str, data: dict[str, str], name: str) -> None:
        self.client.post(
            url,
            data,
            headers={"X-CSRFToken": _cookie(self.client, "csrftoken"), "HX-Request": "true"},
            name=name,
        )


class Login(FastHttpUser):
    """Someone logging in (login form, then the password check), now and then."""

    weight = 1
    wait_time = between(20, 40)

    @task
    def login(self) -> None:
        person = _take("rep")
        self.client.cookiejar.clear()
        self.client.get("/accounts/login/", name="login form")
        self.client.post(
            "/accounts/login/",
            {"username": person["username"], "password": PASSWORD},
            headers={"X-CSRFToken": _cookie(self.client, "csrftoken")},
            name="login",
        )


class Rep(_Person):
    weight = 14
    role = "rep"
    #: The Today editor's write URLs are keyed by the journal's day
    #: (``/journals/day/2026-12-08/autosave/``): the first write creates the day's journal.
    journal_day: str | None = None

    def _today(self) -> None:
        page = self.client.get("/journals/today/", name="today").text
        found = re.search(r"/journals/day/(\d{4}-\d{2}-\d{2})/autosave/", page)
        self.journal_day = found.group(1) if found else None

    @task(4)
    def today(self) -> None:
        self._today()

    @task(3)
    def autosave(self) -> None:
        if self.journal_day is None:
            self._today()
        if self.journal_day:
            self._post(
                f"/journals/day/{self.journal_day}/autosave/",
                {"learning_topic": f"专线资费 {random.randint(1, 999)}"},  # noqa: S311
                "journal autosave",
            )

    @task(2)
    def visit(self) -> None:
        if self.journal_day is None:
            self._today()
        customers = self.person.get("customers") or []
        if self.journal_day and customers:
            self._post(
                f"/journals/day/{self.journal_day}/visits/",
                {
                    "customer": str(random.choice(customers)),  # noqa: S311
                    "purpose": "explanation",
                    "time": f"{random.randint(9, 17):02d}:{random.choice(['00', '30'])}",  # noqa: S311
                    "learned": "客户关注千兆专线价格",
                    "outcome": "info",
                },
                "visit record",
            )

    @task(1)
    def customers(self) -> None:
        self.client.get("/customers/", name="customers")


class Supervisor(_Person):
    weight = 4
    role = "supervisor"

    @task(3)
    def inbox(self) -> None:
        page = self.client.get("/journals/inbox/", name="inbox").text
        journals = re.findall(r'href="/journals/(\d+)/"', page)
        if journals:
            self.client.get(
                f"/journals/{random.choice(journals)}/",  # noqa: S311
                name="journal detail",
            )

    @task(2)
    def morning_meeting(self) -> None:
        self.client.get("/journals/morning-meeting/", name="morning meeting")


class Manager(_Person):
    weight = 2
    role = "manager"

    @task(3)
    def dashboard(self) -> None:
        page = self.client.get("/kpi/", name="kpi dashboard").text
        teams = re.findall(r'href="/kpi/team/([\w-]+)/', page)
        if teams:
            self.client.get(
                f"/kpi/team/{random.choice(teams)}/",  # noqa: S311
                name="kpi team dashboard",
            )
