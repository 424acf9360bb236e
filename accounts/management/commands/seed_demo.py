"""``python manage.py seed_demo [--reset]``: a realistic demo organisation.

Idempotent: a second run finds what the first made. ``--reset`` deletes the demo
data and rebuilds it. Each app with demo data adds a ``seed`` step to STEPS.
"""

from __future__ import annotations

import importlib
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from accounts import demo

SEED = 20261129
# (module, function) run after the organisation exists; each gets (org, rng, stdout).
STEPS = [
    ("customers.demo", "seed"),
    ("customers.projects.demo", "seed"),
    ("journals.demo", "seed"),
    # After every step that records customer events (visits, stage changes, notes, the
    # pool): date every customer before its first event (the import stamps "now"), and
    # before the KPI snapshots, so the stored figures are those of the final data (a
    # customer's creation counts in the funnel) and every page shows one set of figures.
    ("journals.demo.consistency", "settle"),
    ("kpi.demo", "seed"),
    # After the targets (kpi.demo): a submitted team report freezes the targets of its week
    # (docs/domain, section 4), so they must exist when the demo reports are written.
    ("weekly.demo", "seed"),
    ("coaching.demo", "seed"),
]
RESETS = [
    ("coaching.demo", "reset"),
    ("kpi.demo", "reset"),
    ("weekly.demo", "reset"),
    ("journals.demo", "reset"),
    ("customers.projects.demo", "reset"),
    ("customers.demo", "reset"),
]


def _step(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name)
    except (ModuleNotFoundError, AttributeError):
        return None


class Command(BaseCommand):
    help = "Create the demo organisation (idempotent); --reset rebuilds it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="delete demo data first")

    def handle(self, *args: object, **options: object) -> None:
        rng = random.Random(SEED)  # noqa: S311 - demo data, not security
        if options["reset"]:
            with transaction.atomic():
                for module, name in RESETS:
                    fn = _step(module, name)
                    if fn:
                        fn()
                demo.reset_org()
            self.stdout.write("demo data deleted")
        with transaction.atomic():
            org = demo.seed_org(rng)
        for module, name in STEPS:
            fn = _step(module, name)
            if fn:
                fn(org, random.Random(f"{SEED}-{module}"), self.stdout)  # noqa: S311
        self.stdout.write(self.style.SUCCESS("demo organisation ready"))
        if settings.DEBUG:
            self.stdout.write("")
            self.stdout.write(
                f"SalesOps demo at http://127.0.0.1:{_port()}/"
                f"  password for every login: {demo.DEMO_PASSWORD}"
            )
            for role, username, label in org.logins:
                self.stdout.write(f"  {role:<11} {username:<16} {label}")


def _port() -> str:
    import os

    return os.environ.get("PORT", "8000")
