"""KPI pages, chart data and exports label industries as the customer pages do: in the
reader's language (``domain.industries.industry_label``, docs/domain.md, section 5)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from customers.services import customer_create
from kpi.snapshots import compute_and_store
from kpi.templatetags.kpi_format import metric_label

TZ = timezone.get_default_timezone()


@pytest.fixture
def manufacturing(org):
    customer_create(
        by=org.rep,
        name="制造客户",
        owner=org.rep,
        stage="deal",  # the industry shares count customers with a deal (section 9)
        at=dt.datetime(2026, 12, 2, 10, tzinfo=TZ),
        industry="C 制造业",
    )
    compute_and_store(periods=["2026-12"])


@pytest.mark.parametrize(
    ("lang", "shown", "hidden"),
    [("en", "C Manufacturing", "C 制造业"), ("zh-hans", "C 制造业", "C Manufacturing")],
)
def test_rep_kpi_page_shows_industries_in_the_readers_language(
    org, client_for, manufacturing, lang, shown, hidden
):
    url = reverse("kpi:rep_dashboard", args=[org.rep.username]) + "?period=2026-12"
    html = client_for(org.rep).get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert shown in html
    assert hidden not in html


@pytest.mark.parametrize(("lang", "shown"), [("en", "C Manufacturing"), ("zh-hans", "C 制造业")])
def test_kpi_export_labels_industries_in_the_readers_language(
    org, client_for, manufacturing, lang, shown
):
    response = client_for(org.supervisor).get(
        reverse("kpi:dashboard_export"),
        {"scope": f"team:{org.team_a.code}", "period": "2026-12"},
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    wb = load_workbook(io.BytesIO(response.content))
    texts = {c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row}
    assert shown in texts


def test_metric_label_of_free_text_and_other_families_is_unchanged(settings):
    from django.utils import translation

    with translation.override("en"):
        assert metric_label("industry_share:制造业") == "Manufacturing"
        assert metric_label("industry_share:自由文本") == "自由文本"
        assert metric_label("product_share:SaaS") == "SaaS"
    with translation.override("zh-hans"):
        assert metric_label("industry_share:制造业") == "制造业"
