"""Celery: eager by default; through Redis to a real worker in CI."""

import pytest

from salesops.celery import ping


def test_tasks_run_eagerly_in_ordinary_tests(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER
    assert ping.delay("hello").get(timeout=5) == "hello"


@pytest.mark.integration
def test_a_task_round_trips_through_redis_to_a_real_worker(settings):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    result = ping.delay("through-the-broker")
    assert result.get(timeout=30) == "through-the-broker"
