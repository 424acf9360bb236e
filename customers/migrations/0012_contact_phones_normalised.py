"""Existing contact phones in the one stored form of ``domain.phones`` (docs/domain, section
5, Imports), so duplicate checks find them; phones the rule refuses are left as they are."""

from __future__ import annotations

from django.db import migrations

from domain.phones import phone_normalised


def normalise(apps, schema_editor):
    Contact = apps.get_model("customers", "Contact")
    changed = []
    rows = Contact.objects.exclude(phone="", phone2="").only("pk", "phone", "phone2")
    for contact in rows.iterator(chunk_size=2000):
        dirty = False
        for field in ("phone", "phone2"):
            value = getattr(contact, field)
            stored, problem = phone_normalised(value) if value else (value, None)
            if problem is None and stored != value:
                setattr(contact, field, stored)
                dirty = True
        if dirty:
            changed.append(contact)
        if len(changed) >= 2000:
            Contact.objects.bulk_update(changed, ["phone", "phone2"])
            changed = []
    if changed:
        Contact.objects.bulk_update(changed, ["phone", "phone2"])


class Migration(migrations.Migration):
    dependencies = [("customers", "0011_drop_indexes_never_searched")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
