"""Django settings for SalesOps.

Everything that differs between a laptop and production comes from the
environment (see README.md, "Environment variables"). With nothing set, the app
runs on a SQLite file in the project folder and Celery runs tasks eagerly in the
web process, so ``make run`` needs no other server.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .environment import database_from_url, env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "knox",
    "django_htmx",
    "axes",
    "csp",
    "auditlog",
    "accounts",
    "customers",
    "journals",
    "weekly",
    "kpi",
    "coaching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "salesops.observability.RequestLogMiddleware",
    "salesops.middleware.PrivateCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Moves the sessions' idle expiry forward with one write every 5 minutes.
    "accounts.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Errors under /api/ answer JSON, also those from outside API views (404 with DEBUG on).
    "salesops.middleware.ApiErrorJsonMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "salesops.middleware.RejectNulMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in user's saved language wins over cookie and browser.
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.ScopeMiddleware",
    "accounts.middleware.WorkCalendarMiddleware",
    # The audit log's actor is the signed-in user (accounts/audit.py).
    "auditlog.middleware.AuditlogMiddleware",
    # Axes last: it turns a lockout signalled by the backend into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "salesops.urls"
WSGI_APPLICATION = "salesops.wsgi.application"
ASGI_APPLICATION = "salesops.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# Form widgets render through Jinja2 (Django's own widget templates for it, same HTML):
# a Today page renders about 50 widget templates, and Jinja2 renders them several times
# faster than the Django template engine (docs/deploy.md, "Load"). Page templates, and
# widget templates with no Jinja2 version (the admin's), stay Django templates.
FORM_RENDERER = "salesops.forms_renderer.JinjaFirstRenderer"

DATABASES = {
    "default": database_from_url("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after 8 idle hours: the expiry moves forward with the requests, written at
# most every SESSION_REFRESH_SECONDS (accounts.middleware.SessionRefreshMiddleware) instead
# of on every request (three queries each).
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 5 * 60
SESSION_COOKIE_HTTPONLY = True

# Ten wrong passwords in a row for one user from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Behind reverse proxies the lockout must key on the real client, not on the proxy
# (salesops/proxies.py): TRUSTED_PROXY_COUNT is how many proxies append to X-Forwarded-For.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "salesops.proxies.client_ip"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai") or "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")) or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SalesOps <salesops@localhost>")

# HTTPS hardening; production sets these through the environment (README.md).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts only from our own static files, never inline
# code or inline event handlers (templates declare behaviour with data-* attributes that
# static/js/salesops.js wires up). Inline style attributes stay allowed: ECharts and a few
# progress bars size elements with them, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Celery, three ways (docs/architecture.md, "Background work"):
# - REDIS_URL set (production, CI): Redis broker and result backend, `make worker` + `make beat`.
# - EMBEDDED_WORKER=1 without REDIS_URL (`make run`): kombu's filesystem transport under
#   var/celery/, consumed by a real worker and beat that `make run` starts beside the web
#   server, so the default runs the production code paths with no server to install.
# - neither (tests, one-off commands): tasks run eagerly in the calling process.
REDIS_URL = env_url("REDIS_URL", None, {"redis", "rediss"})
EMBEDDED_WORKER = REDIS_URL is None and env_bool("EMBEDDED_WORKER", default=False)
CELERY_DATA_DIR = Path(env_str("CELERY_DATA_DIR") or BASE_DIR / "var" / "celery")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
elif EMBEDDED_WORKER:
    for _sub in ("queue", "processed", "results", "control"):
        (CELERY_DATA_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    # kombu's filesystem transport with atomic message files (salesops/broker.py): the
    # worker never reads a half-written message (which stopped it, losing the message).
    CELERY_BROKER_TRANSPORT = "salesops.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_DATA_DIR / "control"),
        # The worker looks for new messages ten times a second (kombu's default: once),
        # so a change reaches the recompute well within the freshness budget.
        "polling_interval": 0.1,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_DATA_DIR / 'results'}"
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None and not EMBEDDED_WORKER
CELERY_TASK_EAGER_PROPAGATES = True
# Reliability (docs/deploy.md, "Celery settings"): every task is idempotent (jobs are claimed
# with conditional updates, snapshots upserted), so a message is acknowledged only after
# its task ran, and given back to the broker when the process running it dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message at a time per worker process: a long import never hides short tasks
# that another process could run, and a killed worker loses at most one message.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 28 * 60
# A message not acknowledged within this is delivered again; above the longest hard time
# limit (30 min), so a task still running legitimately is never run twice.
CELERY_VISIBILITY_TIMEOUT = 2 * 60 * 60
# Results are not read by the application (jobs are rows); only salesops.ping keeps one.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 60 * 60
# Sending a task from a web request is bounded in time: short connect and socket timeouts,
# one quick retry. A failure is logged and left to the reconciler (salesops.celery.enqueue).
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1.0
CELERY_REDIS_SOCKET_TIMEOUT = 2.0
CELERY_REDIS_RETRY_ON_TIMEOUT = False
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        "socket_connect_timeout": 1.0,
        "socket_timeout": 2.0,
        "retry_on_timeout": False,
    }
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
        "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
    }
# Django's caches. "default" stays per process (DRF's throttles; a Redis outage must not
# fail API calls). "figures" holds the dashboards' computed comparisons, keyed by the
# scope's data version (kpi.figures.cached_comparison, docs/architecture.md, "Dashboard
# cache"): on Redis when REDIS_URL is set, so every web process shares them; short socket
# timeouts, and a cache error only means computing the figures again.
CACHES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "figures",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
if REDIS_URL:
    CACHES["figures"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "salesops",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.5},
    }
CELERY_TIMEZONE = TIME_ZONE
# A worker keeps trying to reach the broker forever (a Redis restart is survived).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_SEND_TASK_EVENTS = False
# Beat wakes at least this often (seconds), so its lock (salesops.beat) is renewed in time.
CELERY_BEAT_MAX_LOOP_INTERVAL = 15
CELERY_BEAT_SCHEDULER = "salesops.beat:LockedScheduler"
# Bulk KPI work on its own queue (docs/deploy.md, "Load"): with KPI_QUEUE set, a full
# recompute's planning and parts and the coaching diagnoses after it go to that queue, which
# a worker at lower CPU priority consumes (the Procfile's `kpiworker`, `nice -n 10`), while
# user-facing tasks (imports, the debounced recompute after a change, reminders) stay on the
# default queue `celery` of a worker at normal priority. Empty (the default, `make run`, the
# tests and drills): everything on `celery`, so a single worker runs it all.
KPI_QUEUE = env_str("KPI_QUEUE") or ""
KPI_QUEUE_TASKS = (
    "kpi.run_execute",
    "kpi.run_part",
    "coaching.findings_recompute_many",
    "coaching.findings_recompute_all",
)
CELERY_TASK_ROUTES: dict[str, dict[str, str]] = (
    {name: {"queue": KPI_QUEUE} for name in KPI_QUEUE_TASKS} if KPI_QUEUE else {}
)

# Group-robot webhooks (DingTalk, WeCom, Feishu) a supervisor sets for a team: only https
# addresses on these hosts are accepted and called (no request to any other host: SSRF).
# ROBOT_WEBHOOK_ALLOW_LOOPBACK (settings only, never from the environment) also accepts
# http://127.0.0.1:<port>, for the tests' loopback robot.
ROBOT_WEBHOOK_HOSTS = env_list(
    "ROBOT_WEBHOOK_HOSTS",
    ["oapi.dingtalk.com", "qyapi.weixin.qq.com", "open.feishu.cn", "open.larksuite.com"],
)
ROBOT_WEBHOOK_ALLOW_LOOPBACK = False
ROBOT_WEBHOOK_TIMEOUT_SECONDS = 5
# Minutes before a team's journal deadline when those who have not submitted are reminded.
REMINDER_LEAD_MINUTES = env_int("REMINDER_LEAD_MINUTES", 60)

# Job recovery (docs/deploy.md, "Jobs recover by themselves"): running import jobs and KPI
# runs write a heartbeat every JOB_HEARTBEAT_SECONDS; the reconciler (beat, every
# RECONCILE_EVERY_SECONDS) re-queues a job whose heartbeat is older than JOB_STALE_SECONDS,
# at most JOB_MAX_ATTEMPTS times, then fails it. 90 s + 30 s: a lost worker's job moves
# again within 2 minutes.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 15)
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 90)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)
RECONCILE_EVERY_SECONDS = env_int("RECONCILE_EVERY_SECONDS", 30)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Journal reminders: every half hour in the evening, so the default 21:00 deadline and
    # any per-team deadline are both met; the task only reminds teams whose deadline has
    # passed and is idempotent (one notification per person and day).
    "journals-remind-missing": {
        "task": "journals.remind_missing",
        "schedule": __import__("celery.schedules").schedules.crontab(minute="0,30", hour="16-23"),
    },
    "journals-supervisor-digest": {
        "task": "journals.supervisor_digest",
        "schedule": __import__("celery.schedules").schedules.crontab(minute=0, hour=8),
    },
    # KPI snapshots: nightly recompute of the current and previous month and ISO week for
    # every team (CELERY_TIMEZONE is the organisation's, so 02:00 local).
    "kpi-nightly": {
        "task": "kpi.nightly",
        "schedule": __import__("celery.schedules").schedules.crontab(minute=0, hour=2),
    },
}
# Reminders before the deadline (REMINDER_LEAD_MINUTES), every quarter hour in the
# afternoon and evening; idempotent per person and day or week.
CELERY_BEAT_SCHEDULE["journals-remind-before-deadline"] = {
    "task": "journals.remind_before_deadline",
    "schedule": __import__("celery.schedules").schedules.crontab(minute="*/15", hour="12-23"),
}
CELERY_BEAT_SCHEDULE["weekly-remind-before-deadline"] = {
    "task": "weekly.remind_before_deadline",
    "schedule": __import__("celery.schedules").schedules.crontab(minute="*/15", hour="12-23"),
}
# Follow-ups: each rep's next steps due today, at 08:00; overdue ones to team channels 08:05.
CELERY_BEAT_SCHEDULE["journals-follow-ups-due"] = {
    "task": "journals.follow_ups_due",
    "schedule": __import__("celery.schedules").schedules.crontab(minute=0, hour=8),
}
# Follow-up escalation and the public pool's automatic release (OrgSettings days, 0: off).
CELERY_BEAT_SCHEDULE["journals-follow-up-escalate"] = {
    "task": "journals.follow_up_escalate",
    "schedule": __import__("celery.schedules").schedules.crontab(minute=5, hour=9),
}
CELERY_BEAT_SCHEDULE["customers-auto-release"] = {
    "task": "customers.auto_release",
    "schedule": __import__("celery.schedules").schedules.crontab(minute=10, hour=3),
}
# Work calendar: warn in the log when the holidays of this year (or, from December 1st, the
# coming year) are unknown.
CELERY_BEAT_SCHEDULE["accounts-calendar-check"] = {
    "task": "accounts.calendar_check",
    "schedule": __import__("celery.schedules").schedules.crontab(minute=50, hour=1),
}
# Coaching: recompute every team's diagnosis findings nightly, after the KPI snapshots.
CELERY_BEAT_SCHEDULE["coaching-findings-nightly"] = {
    "task": "coaching.findings_recompute_all",
    "schedule": __import__("celery.schedules").schedules.crontab(minute=30, hour=2),
}
# Job recovery: stale KPI runs, lost recompute marks and (customers) stale import jobs.
CELERY_BEAT_SCHEDULE["customers-import-reconcile"] = {
    "task": "customers.import_reconcile",
    "schedule": float(RECONCILE_EVERY_SECONDS),
}
CELERY_BEAT_SCHEDULE["kpi-reconcile"] = {
    "task": "kpi.reconcile",
    "schedule": float(RECONCILE_EVERY_SECONDS),
}

REST_FRAMEWORK = {
    # Sessions for the browser (CSRF enforced), hashed tokens for integrations
    # (django-rest-knox with a named token model: accounts.models.ApiToken).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous caller then gets 401 with `WWW-Authenticate: Token`.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "accounts.api.common.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        # DRF's own says "JSON parse error - ..." in English whatever the language.
        "accounts.api.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "EXCEPTION_HANDLER": "accounts.api.common.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        # token endpoints (create, list, revoke) per user; the login page per address
        # and per address and user name (accounts.views.LoginView).
        "tokens": "30/minute",
        "login": "60/minute",
        "login_user": "20/minute",
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Throttles key on the real client behind the same trusted proxies as the lockout.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT or None,
}
# API tokens: stored as SHA-512 digests, named, created and revoked on the profile page.
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 - a model name, not a secret
REST_KNOX = {
    "TOKEN_TTL": None,  # each token gets the expiry chosen when it is created
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_PREFIX": "so_",
    "TOKEN_LIMIT_PER_USER": 20,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SalesOps API",
    "DESCRIPTION": (
        "Sales activity management: customers, journals, KPIs, people and teams.\n\n"
        "Authenticate with a session (the browser) or a token created on the profile page: "
        "`Authorization: Token <token>`. Every read goes through the caller's scope: objects "
        "of other teams answer 404. Writes to a resource with an `ETag` need `If-Match` "
        "(412 when it changed since it was read, 428 when the header is missing). Errors "
        'are JSON in the request\'s language (`Accept-Language`): `{"detail": ...}` or '
        "field names mapped to lists of messages."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "accounts.api.common.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "customers.models.Stage",
        "SegmentEnum": "customers.models.Segment",
        "NewCustomerStageEnum": "customers.api.files.NEW_CUSTOMER_STAGES",
        "UnitSegmentEnum": "accounts.api.people.UNIT_SEGMENTS",
        "ReportStatusEnum": "weekly.models.ReportStatus",
        "FindingStatusEnum": "coaching.models.Finding.Status",
        "PlanStatusEnum": "coaching.models.CoachingPlan.Status",
        "ImportKindEnum": "customers.models.ImportJob.Kind",
        "MembershipRoleEnum": "accounts.models.Membership.Role",
        "ProjectStatusEnum": "customers.api.project_serializers.PROJECT_STATUS_CHOICES",
        "ControlPointStatusEnum": "customers.api.project_serializers.POINT_STATUS_CHOICES",
        "SupportStatusEnum": "customers.api.project_serializers.SUPPORT_STATUS_CHOICES",
        "ProjectDecisionRoleEnum": "customers.api.project_serializers.DECISION_ROLE_CHOICES",
        "DocumentKindEnum": "customers.api.project_serializers.DOCUMENT_KIND_CHOICES",
        "SupportKindEnum": "customers.api.project_serializers.SUPPORT_KIND_CHOICES",
    },
    # Swagger UI from our own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema and its docs describe every endpoint: for signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# The audit log records who changed what (accounts/audit.py), not from where: its own
# address lookup trusts X-Forwarded-For as sent by the client.
AUDITLOG_DISABLE_REMOTE_ADDR = True

# Largest check-in photo accepted, in pixels (a 12 MP phone photo is far below).
CHECKIN_PHOTO_MAX_PIXELS = env_int("CHECKIN_PHOTO_MAX_PIXELS", 40_000_000)

# Customer import limits (bytes); see spreadsheets/reading.py.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
PROJECT_DOCUMENT_MAX_BYTES = env_int("PROJECT_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# Logs (docs/deploy.md, "Logs"): JSON lines on stderr in production (LOG_FORMAT=json, the
# default with DEBUG off), readable text with DEBUG on; every record carries the request id
# and user of the request being served (salesops.observability).
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json") or "json"
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'text'")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "salesops.observability.ContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # One record per request comes from salesops.access; Django's own would repeat it.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
# The worker keeps Django's logging (JSON lines), including Celery's per-task records with
# the task id and run time ("Task kpi.run_part[<id>] succeeded in 0.42s").
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Recompute KPI snapshots after each stage change, submitted journal or import. Always on
# with a broker; without one (eager Celery) it would run inside the user's request, so it
# is off unless asked for: figures then refresh with "Recompute now" or `compute_kpis`.
KPI_TOUCH_WHEN_EAGER = env_bool("KPI_TOUCH_WHEN_EAGER", default=False)
