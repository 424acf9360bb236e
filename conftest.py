"""Shared fixtures: the personas of docs/architecture.md (rep, teammate, supervisor, manager over
two teams, admin, outsider from another branch) in a small organisation."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, settings

from accounts.models import Membership, OrgUnit, User

# Property tests run on a 2-core machine shared with a real worker and browsers: a slow
# example is not a failure, and CI repeats the same examples (derandomized).
settings.register_profile(
    "salesops",
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("salesops")

PASSWORD = "correct horse battery staple"  # noqa: S105 - test personas only


@dataclass
class Org:
    """The persona organisation: company > branches north/south > teams."""

    company: OrgUnit
    north: OrgUnit
    south: OrgUnit
    team_a: OrgUnit  # north
    team_b: OrgUnit  # north
    team_s: OrgUnit  # south
    rep: User  # team_a
    teammate: User  # team_a
    supervisor: User  # supervises team_a
    supervisor_b: User  # supervises team_b
    rep_b: User  # team_b
    manager: User  # manages branch north (team_a and team_b)
    admin: User
    outsider: User  # rep in team_s, branch south
    outsider_supervisor: User  # supervises team_s


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip `integration` tests unless REDIS_URL points at a broker with a worker."""
    if os.environ.get("REDIS_URL"):
        return
    skip = pytest.mark.skip(reason="needs REDIS_URL and a Celery worker (.ci/run starts them)")
    for item in items:
        if "integration" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _celery_eager_unless_integration(request: pytest.FixtureRequest, settings):
    """Run tasks in-process in every test but those marked ``integration``.

    A test's rows live in an uncommitted transaction, which a worker on another
    connection cannot see; so only integration tests (with committed rows) go through
    the broker to the real worker that .ci/run starts.
    """
    if request.node.get_closest_marker("integration") or request.node.get_closest_marker("drill"):
        yield
        return
    from salesops.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def _user(username: str, name: str, **extra: object) -> User:
    user = User(username=username, display_name=name, email=f"{username}@example.com", **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_org() -> Org:
    """Build the persona organisation in the test database."""
    import datetime as dt

    start = dt.date(2020, 1, 1)
    company = OrgUnit.objects.create(name="华信通信", code="hx", kind="company")
    north = OrgUnit.objects.create(name="北区分公司", code="north", kind="branch", parent=company)
    south = OrgUnit.objects.create(name="南区分公司", code="south", kind="branch", parent=company)
    team_a = OrgUnit.objects.create(name="北一组", code="north-1", kind="team", parent=north)
    team_b = OrgUnit.objects.create(name="北二组", code="north-2", kind="team", parent=north)
    team_s = OrgUnit.objects.create(name="南一组", code="south-1", kind="team", parent=south)
    people = {
        "rep": _user("rep", "张伟"),
        "teammate": _user("teammate", "王芳"),
        "supervisor": _user("supervisor", "李强"),
        "supervisor_b": _user("supervisor_b", "赵敏"),
        "rep_b": _user("rep_b", "刘洋"),
        "manager": _user("manager", "陈静"),
        "admin": _user("admin", "管理员", is_staff=True, is_superuser=True),
        "outsider": _user("outsider", "杨帆"),
        "outsider_supervisor": _user("outsider_supervisor", "黄磊"),
    }
    rows = [
        ("rep", team_a, "rep"),
        ("teammate", team_a, "rep"),
        ("supervisor", team_a, "supervisor"),
        ("supervisor_b", team_b, "supervisor"),
        ("rep_b", team_b, "rep"),
        ("manager", north, "manager"),
        ("outsider", team_s, "rep"),
        ("outsider_supervisor", team_s, "supervisor"),
    ]
    Membership.objects.bulk_create(
        Membership(user=people[who], unit=unit, role=role, start=start) for who, unit, role in rows
    )
    return Org(company, north, south, team_a, team_b, team_s, **people)


@pytest.fixture
def org(db: None) -> Org:
    """The persona organisation (see :class:`Org`)."""
    return make_org()


@pytest.fixture
def client_for(client):
    """Return a function that logs the test client in as a given user and returns it."""

    def login(user: User):
        client.force_login(user)
        return client

    return login


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _serial_live_server_on_sqlite() -> None:
    """On SQLite the live server's request threads share the test's one connection, so two
    requests of one page at once (an autosave racing a submit) break each other's
    transactions; serve one request at a time there, as PostgreSQL needs no such care."""
    from django.conf import settings as django_settings
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    if not str(django_settings.DATABASES["default"]["ENGINE"]).endswith("sqlite3"):
        return

    class SerialWSGIServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.connections_override = connections_override

    LiveServerThread.server_class = SerialWSGIServer  # type: ignore[attr-defined]


_serial_live_server_on_sqlite()


@pytest.fixture(scope="session")
def browser():
    """A headless Debian chromium driven by Playwright; skips when chromium is missing."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (make test installs it)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page_for(browser, live_server):
    """Return a function giving a logged-in page (user, width, locale) on the live server."""
    contexts = []
    violations: list[str] = []

    def watch(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    def open_page(user: User | None = None, *, width: int = 1280, locale: str = "zh-CN"):
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            locale=locale,
            extra_http_headers={"Accept-Language": locale},
        )
        contexts.append(context)
        page = context.new_page()
        # Every browser test also checks that nothing on its pages breaks the
        # Content-Security-Policy (Chromium reports each violation on the console).
        page.on("console", watch)
        page.set_default_timeout(10_000)
        if user is not None:
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", user.username)
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("form button[type=submit]")
        return page

    open_page.csp_violations = violations  # type: ignore[attr-defined]
    yield open_page
    for context in contexts:
        context.close()
    assert violations == [], "Content-Security-Policy violations"


@pytest.fixture
def robot(settings):
    """A loopback DingTalk/WeCom/Feishu robot that checks signatures
    (``salesops/tests/robots.py``); loopback webhooks are allowed for the test."""
    from salesops.tests.robots import start_robot_server

    settings.ROBOT_WEBHOOK_ALLOW_LOOPBACK = True
    state, server = start_robot_server()
    yield state
    server.shutdown()
    server.server_close()
