"""Findings, plans and measures stored before codes existed: their English (or, for the
demo's plans, Chinese) suggested texts become codes with values, so every reader sees
them in their own language (coaching.texts). Texts typed by people stay as they are."""

from django.conf import settings
from django.db import migrations
from django.utils import translation

from coaching import texts
from domain import metrics, symptoms


def _by_text(table: dict[str, str]) -> dict[str, str]:
    """Every language's text of each code -> the code."""
    out: dict[str, str] = {}
    for code, msgid in table.items():
        out[msgid] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                out[translation.gettext(msgid)] = code
    return out


def forwards(apps, schema_editor):
    Finding = apps.get_model("coaching", "Finding")
    Measure = apps.get_model("coaching", "Measure")
    CoachingPlan = apps.get_model("coaching", "CoachingPlan")
    causes, measures = _by_text(texts.CAUSE_TEXTS), _by_text(texts.MEASURE_TEXTS)
    for f in Finding.objects.all().iterator():
        new_causes = [
            {"code": causes.get(c.get("cause", ""), ""), "category": c.get("category", "")}
            if "cause" in c and c.get("cause") in causes
            else c
            for c in f.causes
        ]
        new_measures = [
            {"kind": m.get("kind", ""), "code": measures[m["text"]]}
            if m.get("text") in measures
            else m
            for m in f.measures
        ]
        figures = [
            {k: v for k, v in fig.items() if k != "label"}
            if fig.get("key") in texts.FIGURE_LABELS or fig.get("key") in metrics.METRICS
            else fig
            for fig in f.evidence.get("figures", [])
        ]
        f.causes, f.measures = new_causes, new_measures
        f.evidence = {**f.evidence, "figures": figures}
        f.save(update_fields=["causes", "measures", "evidence"])
    for m in Measure.objects.filter(code="").iterator():
        code = measures.get(m.description.strip(), "")
        if code:
            m.code, m.description = code, ""
            m.save(update_fields=["code", "description"])
    labels = {}
    for item in symptoms.SYMPTOMS:
        for text in (item.label_zh, item.label_en):
            labels[text] = item.code
    for plan in CoachingPlan.objects.filter(problem_code="").iterator():
        code = labels.get(plan.problem.strip(), "")
        if code:
            plan.problem_code = code
            plan.save(update_fields=["problem_code"])


def backwards(apps, schema_editor):
    Finding = apps.get_model("coaching", "Finding")
    Measure = apps.get_model("coaching", "Measure")
    for f in Finding.objects.all().iterator():
        f.causes = [
            {"cause": texts.CAUSE_TEXTS.get(c.get("code", ""), ""), "category": c.get("category")}
            if "code" in c
            else c
            for c in f.causes
        ]
        f.measures = [
            {"kind": m.get("kind"), "text": texts.MEASURE_TEXTS.get(m.get("code", ""), "")}
            if "code" in m
            else m
            for m in f.measures
        ]
        f.save(update_fields=["causes", "measures"])
    for m in Measure.objects.exclude(code="").iterator():
        m.description = texts.MEASURE_TEXTS.get(m.code, m.code)
        m.save(update_fields=["description"])


class Migration(migrations.Migration):
    dependencies = [("coaching", "0004_texts_as_codes")]

    operations = [migrations.RunPython(forwards, backwards)]
