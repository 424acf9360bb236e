"""The pinyin search text of every customer (docs/domain, section 5, "Search by pinyin")."""

from django.db import migrations, models


def fill(apps, schema_editor):
    """Compute ``pinyin_search`` for the existing customers, 2,000 at a time."""
    from customers.pinyin import search_text

    customer_model = apps.get_model("customers", "Customer")
    batch = []
    rows = customer_model.objects.only("id", "name", "short_name").order_by("id")
    for customer in rows.iterator(chunk_size=2000):
        customer.pinyin_search = search_text(customer.name, customer.short_name)
        batch.append(customer)
        if len(batch) >= 2000:
            customer_model.objects.bulk_update(batch, ["pinyin_search"])
            batch = []
    if batch:
        customer_model.objects.bulk_update(batch, ["pinyin_search"])


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0008_import_job_to_pool"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="pinyin_search",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="pinyin search"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
