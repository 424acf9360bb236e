"""Freshness budget: every page shows a change within FRESHNESS_BUDGET_SECONDS
(docs/architecture.md, "Background work"). The debounces are settings; this pins that no
chain of them can exceed the budget: the team's and the branch's recomputes both start
from the change (not one after the other), and the longest debounce plus one recompute
fits in the budget."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from kpi import services, tasks

RECOMPUTE_SECONDS = 2.5
"""What one team or branch recompute of the demo organisation may take, including the
worker picking up the message (bench/freshness.py measures it: about 1-2 s)."""


def test_the_longest_debounce_and_one_recompute_fit_in_the_budget():
    chain = max(services.TOUCH_DELAY_SECONDS, services.BRANCH_DELAY_SECONDS)
    assert chain + RECOMPUTE_SECONDS <= services.FRESHNESS_BUDGET_SECONDS
    assert services.FRESHNESS_BUDGET_SECONDS <= 5


def test_the_branch_countdown_starts_at_the_change_not_after_the_team(
    org, django_capture_on_commit_callbacks, settings
):
    settings.KPI_TOUCH_WHEN_EAGER = True
    with (
        mock.patch.object(tasks.kpi_recompute_team, "apply_async") as team,
        mock.patch.object(tasks.kpi_recompute_branch, "apply_async") as branch,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.kpi_touch(team_id=org.team_a.pk, day=dt.date(2026, 3, 10), trigger="stage")
    # Both are sent by the touch itself, each with its own debounce from now.
    assert team.call_args.kwargs["countdown"] == services.TOUCH_DELAY_SECONDS
    assert branch.call_args.kwargs["countdown"] == services.BRANCH_DELAY_SECONDS
