"""Drop indexes no query uses, which every insert paid for (bench/import_customers.py).

- customer.stage, customer.created_by, ownership.changed_by, stagechange.by: the stage
  is always asked together with an owner or a team, which the (owner, stage) and (team,
  stage) indexes serve; who created or changed a row is shown, never searched;
- PostgreSQL only: the ``varchar_pattern_ops`` copies (``..._like``) Django adds for
  indexed text columns serve ``LIKE 'prefix%'`` alone; the customer columns are looked up
  by equality (duplicates) or searched with ``icontains``/``contains``/a regular
  expression (``LIKE '%x%'``), which no b-tree serves. The equality indexes stay.

Only ``DROP INDEX`` (no table rebuild on SQLite, which ``AlterField`` would do); the
state change is the fields' ``db_index=False``. Reversible.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# (index, table, column): the names Django gave them (0001/0009), the same on every backend.
DROPPED = [
    ("customers_customer_stage_806ad5e6", "customers_customer", "stage"),
    ("customers_customer_created_by_id_e3e9e010", "customers_customer", "created_by_id"),
    ("customers_ownership_changed_by_id_0048de57", "customers_ownership", "changed_by_id"),
    ("customers_stagechange_by_id_d444c276", "customers_stagechange", "by_id"),
]
# PostgreSQL's LIKE-prefix copies (stage's goes with its index above).
LIKE_COPIES = [
    ("customers_customer_stage_806ad5e6_like", "customers_customer", "stage"),
    ("customers_customer_name_key_30a19185_like", "customers_customer", "name_key"),
    ("customers_customer_pinyin_initials_577fa80f_like", "customers_customer", "pinyin_initials"),
    ("customers_customer_credit_code_06b22623_like", "customers_customer", "credit_code"),
    ("customers_customer_external_code_5540e06f_like", "customers_customer", "external_code"),
    ("customers_customer_industry_0d44e2e6_like", "customers_customer", "industry"),
    ("customers_contact_phone_0a903c69_like", "customers_contact", "phone"),
]


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, _table, _column in DROPPED + (LIKE_COPIES if postgres else []):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, table, column in DROPPED:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")')
    if postgres:
        for name, table, column in LIKE_COPIES:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}" varchar_pattern_ops)'
            )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0010_drop_indexes_covered_by_composites"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop, restore)],
            state_operations=[
                migrations.AlterField(
                    model_name="customer",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                migrations.AlterField(
                    model_name="customer",
                    name="stage",
                    field=models.CharField(
                        choices=[
                            ("lead", "客户资料"),
                            ("target", "目标客户"),
                            ("relationship", "建立关系"),
                            ("intent", "达成意向"),
                            ("deal", "成交"),
                            ("lost", "流失"),
                        ],
                        default="lead",
                        max_length=12,
                        verbose_name="stage",
                    ),
                ),
                migrations.AlterField(
                    model_name="ownership",
                    name="changed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="changed by",
                    ),
                ),
                migrations.AlterField(
                    model_name="stagechange",
                    name="by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
            ],
        ),
    ]
