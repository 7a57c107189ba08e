"""Make the access log append-only in the database too, and create the shared cache table."""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations

SQLITE_TRIGGERS = [
    """CREATE TRIGGER core_accesslog_no_update BEFORE UPDATE ON core_accesslog
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS core_accesslog_no_update;"]

# Row triggers: TRUNCATE (used only by the test runner to empty the test database) is unaffected.
POSTGRES_TRIGGERS = [
    """CREATE FUNCTION core_accesslog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'the access log is append-only'; END; $$;""",
    """CREATE TRIGGER core_accesslog_append_only BEFORE UPDATE OR DELETE ON core_accesslog
       FOR EACH ROW EXECUTE FUNCTION core_accesslog_append_only();""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS core_accesslog_append_only ON core_accesslog;",
    "DROP FUNCTION IF EXISTS core_accesslog_append_only();",
]


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(vendor, []):
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(statement)


def create_cache_table(apps, schema_editor):
    if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
        call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(add_triggers, drop_triggers),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
