"""The Django admin of the accounts models speaks Chinese: every model's and field's verbose
name has a zh-hans translation, and the admin pages render them (docs/domain, section 11)."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

_LATIN_ONLY = re.compile(r"^[A-Za-z0-9 _./()'-]+$")


def _names(model) -> list[tuple[str, str]]:
    """(where, text) of the model's verbose names and its own fields' verbose names."""
    meta = model._meta
    rows = [("model", str(meta.verbose_name)), ("model plural", str(meta.verbose_name_plural))]
    for field in meta.get_fields():
        if field.auto_created or not hasattr(field, "verbose_name"):
            continue
        rows.append((field.name, str(field.verbose_name)))
    return rows


def test_every_accounts_model_and_field_has_a_chinese_name():
    models = [
        m for m in apps.get_app_config("accounts").get_models() if admin.site.is_registered(m)
    ]
    assert models, "the accounts models are registered in the admin"
    untranslated = []
    with translation.override("zh-hans"):
        assert not _LATIN_ONLY.match(str(apps.get_app_config("accounts").verbose_name))
        for model in models:
            for where, text in _names(model):
                if _LATIN_ONLY.match(text) and "API" not in text:
                    untranslated.append(f"{model.__name__}.{where}: {text}")
    assert untranslated == []


@pytest.mark.parametrize("model", ["user", "orgunit", "membership", "calendarday"])
def test_admin_pages_of_accounts_models_render_in_chinese(client, org, model):
    client.force_login(org.admin)
    listing = client.get(
        reverse(f"admin:accounts_{model}_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert listing.status_code == 200
    adding = client.get(reverse(f"admin:accounts_{model}_add"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert adding.status_code == 200
    with translation.override("zh-hans"):
        name = str(apps.get_model("accounts", model)._meta.verbose_name_plural)
    assert name in listing.content.decode()
