"""The history import is found where admins find imports: the menu (for exactly the people
the page lets in) and the customer import page (docs/domain section 10)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PERSONAS = ["rep", "teammate", "supervisor", "supervisor_b", "manager", "admin", "outsider"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_menu_shows_the_history_import_to_exactly_those_the_page_lets_in(
    org, client_for, persona
):
    client = client_for(getattr(org, persona))
    url = reverse("journals:history_import")
    page = client.get(url)
    home = client.get(reverse("customers:customer_list"))
    assert home.status_code == 200
    in_menu = url in [item["url"] for item in home.context["nav_items"]]
    assert page.status_code in (200, 404)
    assert in_menu == (page.status_code == 200)
    expected = persona in {"supervisor", "supervisor_b", "admin"}
    assert in_menu == expected


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_import_page_links_to_the_history_import(org, client_for, lang):
    client = client_for(org.admin)
    html = client.get(reverse("customers:import_list"), HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    link = f'href="{reverse("journals:history_import")}" data-testid="history-import-link"'
    assert link in html
    label = "Import visit and stage history" if lang == "en" else "导入拜访与阶段历史"
    assert label in html
    menu_label = "Import history" if lang == "en" else "导入历史记录"
    assert menu_label in html
