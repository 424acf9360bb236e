"""The form renderer (salesops.forms_renderer): Django's widgets through Jinja2, templates
without a Jinja2 version (the admin's) through the Django engine, the same HTML either way."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template.exceptions import TemplateDoesNotExist

from salesops.forms_renderer import JinjaFirstRenderer


class _Form(forms.Form):
    name = forms.CharField(max_length=20, help_text="<b>escaped</b>")
    kind = forms.ChoiceField(choices=[("a", "A & B"), ("b", "<i>B</i>")])
    day = forms.DateField(required=False)
    note = forms.CharField(widget=forms.Textarea, required=False)


def test_the_project_renders_widgets_with_jinja2():
    renderer = get_default_renderer()
    assert isinstance(renderer, JinjaFirstRenderer)
    template = renderer.get_template("django/forms/widgets/select.html")
    assert template.__class__.__module__.startswith("django.template.backends.jinja2")


def test_admin_widget_templates_fall_back_to_django_templates():
    template = JinjaFirstRenderer().get_template("admin/widgets/related_widget_wrapper.html")
    assert template.__class__.__module__.startswith("django.template.backends.django")


def test_unknown_templates_raise():
    with pytest.raises(TemplateDoesNotExist):
        JinjaFirstRenderer().get_template("no/such/widget.html")


def test_same_html_as_the_django_engine():
    data = {"name": "x" * 30, "kind": "b", "day": "nope"}
    fast = _Form(data, renderer=JinjaFirstRenderer())
    slow = _Form(data, renderer=DjangoTemplates())
    for name in ("name", "kind", "day", "note"):
        assert " ".join(str(fast[name]).split()) == " ".join(str(slow[name]).split())
    assert str(fast.errors) == str(slow.errors)
    assert "&lt;i&gt;B&lt;/i&gt;" in str(fast["kind"])
