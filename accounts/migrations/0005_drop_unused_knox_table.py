"""Drop the ``knox_authtoken`` table that django-rest-knox's first migration creates even
when its token model is swapped for ``accounts.ApiToken`` (``KNOX_TOKEN_MODEL``).

No model uses the table, but it references ``accounts_user``; on PostgreSQL that foreign
key stops a flush (which truncates only the tables of models) from emptying the users.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_api_token"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS knox_authtoken", migrations.RunSQL.noop),
    ]
