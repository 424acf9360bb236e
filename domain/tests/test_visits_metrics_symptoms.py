import datetime as dt
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.labels import pick
from domain.metrics import METRICS, TARGETABLE, metric
from domain.symptoms import SYMPTOM_CODES, symptom_label
from domain.visits import OUTCOMES, PURPOSES, effective_mask, is_effective

DAY = dt.date(2026, 10, 9)


@pytest.mark.parametrize(
    ("outcome", "step", "date", "expected"),
    [
        ("stage_advanced", "", None, True),
        ("deal", "", None, True),
        ("next_step", "Send quote", DAY, True),
        ("info", "Send quote", DAY, True),  # a dated next step counts whatever the outcome
        ("next_step", "Send quote", None, False),  # no date: not effective
        ("next_step", "   ", DAY, False),  # blank next step
        ("next_step", "", None, False),
        ("nothing", "", None, False),
        ("info", "", DAY, False),
    ],
)
def test_is_effective(outcome: str, step: str, date: dt.date | None, expected: bool) -> None:
    assert is_effective(outcome=outcome, next_step=step, next_step_date=date) is expected


_VISIT = st.tuples(
    st.sampled_from([o.code for o in OUTCOMES] + ["", "other"]),
    st.sampled_from(["", "  ", "\t\n", "Send quote", " x "]),
    st.one_of(st.none(), st.just(DAY)),
)


@given(st.lists(_VISIT, max_size=30))
def test_effective_mask_is_the_rule_visit_by_visit(
    visits: list[tuple[str, str, dt.date | None]],
) -> None:
    mask = effective_mask([v[0] for v in visits], [v[1] for v in visits], [v[2] for v in visits])
    expected = [is_effective(outcome=o, next_step=s, next_step_date=d) for o, s, d in visits]
    assert mask.tolist() == expected


def test_effective_mask_reads_missing_values_as_blank() -> None:
    mask = effective_mask(["info", "info", "deal"], [None, float("nan"), None], [DAY, DAY, None])
    assert mask.tolist() == [False, False, True]
    with pytest.raises(ValueError, match="length"):
        effective_mask(["info"], [], [])


def test_codes() -> None:
    assert [p.code for p in PURPOSES] == [
        "first",
        "explanation",
        "closing",
        "appointment",
        "collection",
        "coordination",
        "research",
        "service",
    ]
    assert [o.code for o in OUTCOMES] == ["nothing", "info", "next_step", "stage_advanced", "deal"]
    assert PURPOSES[0].label("zh-hans") == "初访"
    assert SYMPTOM_CODES[0] == "few_targets"
    assert len(SYMPTOM_CODES) == 9
    assert symptom_label("hard_to_close", "zh-Hans") == "难以促成"
    with pytest.raises(KeyError):
        symptom_label("lazy", "en")


def test_label_languages() -> None:
    assert pick("中", "en", "zh-hans") == "中"
    assert pick("中", "en", "en-us") == "en"
    with pytest.raises(ValueError, match="Unsupported language"):
        pick("中", "en", "fr")


def test_metric_registry() -> None:
    m = metric("intent_rate")
    assert (m.kind, m.lower, m.upper, m.label("zh-hans")) == ("rate", 0, 1, "意向达成率")
    assert metric("collection_rate").upper is None
    assert metric("arpu").kind == "money"
    assert not metric("arpu").targetable
    assert metric("deals").drillable
    assert metric("industry_share:retail").name == "industry_share"
    assert metric("visits_completion").kind == "rate"
    assert all(f"{n}_completion" in METRICS for n in TARGETABLE)
    with pytest.raises(KeyError, match="Unknown metric 'nope'"):
        metric("nope")
    with pytest.raises(KeyError):
        metric("nope:x")
    for name in [
        "funnel_lead",
        "funnel_target",
        "funnel_relationship",
        "funnel_intent",
        "funnel_deal",
        "funnel_lost",
        "target_customers",
        "open_targets_at_start",
        "new_targets",
        "target_growth_rate",
        "intents",
        "intent_rate",
        "intent_pool",
        "deals",
        "close_rate",
        "visits",
        "customers_visited",
        "target_customer_visits",
        "target_customers_visited",
        "effective_customers",
        "effective_activity_rate",
        "weekly_intent_rate",
        "sales_revenue",
        "new_sales_revenue",
        "total_revenue",
        "new_revenue",
        "retained_revenue",
        "received",
        "collection_rate",
        "arpu",
        "zero_usage_share",
        "in_arrears_share",
        "revenue_band_share:<1k",
    ]:
        assert metric(name)


def test_no_django_or_apps_imported() -> None:
    code = (
        "import sys, domain.periods, domain.workdays, domain.stages, domain.visits, "
        "domain.metrics, domain.symptoms\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "{'django', 'rest_framework', 'celery', 'accounts', 'customers', 'journals', "
        "'kpi', 'weekly', 'coaching', 'salesops', 'pandas', 'numpy'}]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603
