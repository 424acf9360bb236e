"""Settings for the test suite: production settings plus a test key and a fast hasher.

DATABASE_URL and REDIS_URL still come from the environment, so the same suite
runs on SQLite with eager Celery and on PostgreSQL with a real worker.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
}
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
