from django.db import migrations, models

from teilhabe.core.matching import name_key


def fill_name_keys(apps, schema_editor):
    """Give every person recorded so far the key the duplicate check now looks them up by."""
    Person = apps.get_model("cases", "Person")
    manager = Person._base_manager.using(schema_editor.connection.alias)
    last = 0
    while True:
        batch = list(manager.filter(pk__gt=last).order_by("pk").only("pk", "search_name")[:5000])
        if not batch:
            return
        for person in batch:
            person.name_key = name_key(person.search_name)
        manager.bulk_update(batch, ["name_key"], batch_size=1000)
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("core", "0004_district_and_municipality_population"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=250),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["centre", "name_key"], name="person_centre_name_key"),
        ),
    ]
