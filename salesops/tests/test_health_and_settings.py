"""Health check, environment parsing and the deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from salesops import environment

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    expected = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"
    assert body["broker"] == expected


@pytest.mark.integration
@pytest.mark.django_db
def test_healthz_reports_the_real_broker_ok(client, settings):
    assert settings.REDIS_URL
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    assert client.get("/healthz").json()["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_env_int_names_the_bad_variable(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        environment.env_int("EMAIL_PORT", 25)


def test_env_bool_names_the_bad_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        environment.env_bool("DEBUG")


def test_database_url_with_unknown_scheme_is_refused(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://x@y/z")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        environment.database_from_url("DATABASE_URL", "sqlite:///x.db")


def test_sqlite_default_uses_wal_busy_timeout_and_immediate_transactions(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    db = environment.database_from_url("DATABASE_URL", "sqlite:////tmp/x.sqlite3")
    options = db["OPTIONS"]
    assert isinstance(options, dict)
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert options["timeout"] >= 5


def test_postgres_url_is_parsed(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:6543/sales")
    db = environment.database_from_url("DATABASE_URL", "sqlite:///x.db")
    assert (db["NAME"], db["USER"], db["HOST"], db["PORT"]) == ("sales", "u", "db.example", "6543")


def _run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    dropped = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "salesops.settings"
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_app_refuses_to_start_without_secret_key_when_debug_is_off():
    result = _run_manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_with_production_environment():
    result = _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="k8#Vq2!zR7mW@p4Lx9&nB3$tY6^cJ1*eH5%gU0(dF8)sA-iO+wQ=rT_yP~uI|oK",
        ALLOWED_HOSTS="sales.example.com",
        SECURE_SSL_REDIRECT="1",
        SESSION_COOKIE_SECURE="1",
        CSRF_COOKIE_SECURE="1",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        SECURE_HSTS_PRELOAD="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_embedded_worker_uses_the_filesystem_broker_and_no_eager_tasks(tmp_path):
    """`make run` sets EMBEDDED_WORKER=1: tasks go through a real broker on disk to the
    worker and beat it starts, instead of running inside the request."""
    code = (
        "from django.conf import settings as s; "
        "print(s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER, "
        "s.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in'].endswith('queue'))"
    )
    result = _run_manage(
        "shell", "--no-imports", "-c", code, DEBUG="1", EMBEDDED_WORKER="1", REDIS_URL=""
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["filesystem://", "False", "True"]


def test_without_a_broker_tasks_run_eagerly():
    code = "from django.conf import settings as s; print(s.CELERY_TASK_ALWAYS_EAGER)"
    result = _run_manage(
        "shell", "--no-imports", "-c", code, DEBUG="1", EMBEDDED_WORKER="0", REDIS_URL=""
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"]
