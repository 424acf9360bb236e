"""The form renderer (``FORM_RENDERER``): widgets through Jinja2, whatever else through
the Django template engine (docs/deploy.md, "Load")."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template.exceptions import TemplateDoesNotExist


class JinjaFirstRenderer(BaseRenderer):
    """Render a form or widget template with Jinja2 when Django ships a Jinja2 version of
    it (every built-in widget, form and error-list layout: the same HTML), else with the
    Django template engine (the admin's related-widget wrapper, any project template).

    A Today page renders about 50 widget templates; Jinja2 renders them several times
    faster than the Django engine. Which engine serves a name is remembered per process
    (templates do not move while it runs). Raises TemplateDoesNotExist when neither has it.
    """

    def __init__(self) -> None:
        self.jinja = Jinja2()
        self.django = DjangoTemplates()
        self._engine_of: dict[str, BaseRenderer] = {}

    def get_template(self, template_name: str) -> Any:
        """The template ``template_name`` from the first engine that has it."""
        engine = self._engine_of.get(template_name)
        if engine is not None:
            return engine.get_template(template_name)
        try:
            template = self.jinja.get_template(template_name)
            self._engine_of[template_name] = self.jinja
        except TemplateDoesNotExist:
            template = self.django.get_template(template_name)
            self._engine_of[template_name] = self.django
        return template
