"""Ship the default rubrics and move every offer's free-text rubric to a Rubric.

A free text matches a rubric of the offer's field by name (case and spaces ignored): first the
defaults, then the rubrics of the offer's centre. A text that matches none becomes a rubric of
the centre (its own addition), so nothing the centres wrote is lost.

The list is a copy of ``offers.models.DEFAULT_RUBRICS`` as it was when this migration was
written (a migration must not change when the code does).
"""

from django.db import migrations

DEFAULT_RUBRICS = {
    "cross_cutting": [
        ("intercultural_opening", "Interkulturelle Öffnung der Verwaltung / Willkommenskultur"),
        ("health_seniors", "Gesundheit, Pflege und ältere Menschen"),
        ("sport", "Sport"),
        ("culture", "Kultur"),
        ("volunteering", "Bürgerschaftliches Engagement / Ehrenamt"),
        ("participation", "Partizipation / Migrantenorganisationen"),
        ("work_training", "Arbeit und Ausbildung"),
        ("anti_discrimination", "Antidiskriminierung / Antirassismus"),
        ("eu_immigration", "EU-Zuwanderung"),
    ],
    "education": [
        ("early_childhood", "Frühkindliche Bildung / Kita"),
        ("language_education", "Durchgängige Sprachbildung gesamte Bildungskette"),
        ("newcomer_pupils", "Neu zugewanderte Schülerinnen und Schüler / Seiteneinstieg"),
        ("parents", "Elternbeteiligung"),
        ("school_development", "Schulentwicklung / Interkulturelle Schule"),
        ("school_to_work", "Übergang Schule – Beruf"),
        ("youth_work", "Außerschulische Jugendarbeit"),
        ("adult_education", "Erwachsenenbildung"),
        ("multilingualism", "Mehrsprachigkeit / Herkunftssprachlicher Unterricht"),
    ],
    "migration": [
        ("volunteer_coordination", "Koordination des Ehrenamts in der Flüchtlingshilfe"),
        ("interpreting", "Sprachmittlung / Dolmetscherpool"),
        ("young_adults", "Junge Volljährige: Durchstarten in Ausbildung und Arbeit"),
        ("arrival_counselling", "Ankommen, Beratung und Orientierung"),
        ("german_courses", "Deutschkurse und Sprachförderung"),
        ("housing", "Wohnen und Unterbringung"),
    ],
}


def _key(name):
    return " ".join(name.split()).casefold()


def ship_defaults(Rubric):
    for field, rubrics in DEFAULT_RUBRICS.items():
        for position, (key, name) in enumerate(rubrics, start=1):
            Rubric.objects.update_or_create(
                key=key,
                defaults={
                    "centre": None,
                    "field_of_action": field,
                    "name": name,
                    "position": position,
                },
            )


def forwards(apps, schema_editor):
    Rubric = apps.get_model("offers", "Rubric")
    Offer = apps.get_model("offers", "Offer")
    ship_defaults(Rubric)
    known = {
        (rubric.centre_id, rubric.field_of_action, _key(rubric.name)): rubric
        for rubric in Rubric.objects.all()
    }
    positions = {}
    for offer in Offer.objects.exclude(rubric_text="").order_by("pk").iterator():
        text = " ".join(offer.rubric_text.split())
        if not text:
            continue
        field, key = offer.field_of_action, _key(text)
        rubric = known.get((None, field, key)) or known.get((offer.centre_id, field, key))
        if rubric is None:
            place = (offer.centre_id, field)
            positions[place] = positions.get(place, 100) + 1
            rubric = Rubric.objects.create(
                centre_id=offer.centre_id,
                field_of_action=field,
                name=text[:120],
                position=positions[place],
            )
            known[(offer.centre_id, field, key)] = rubric
        # A queryset update, not save(): the offer's "last changed" stays as it was.
        Offer.objects.filter(pk=offer.pk).update(rubric=rubric)


def backwards(apps, schema_editor):
    Offer = apps.get_model("offers", "Offer")
    for offer in Offer.objects.filter(rubric__isnull=False).select_related("rubric").iterator():
        Offer.objects.filter(pk=offer.pk).update(rubric_text=offer.rubric.name, rubric=None)


class Migration(migrations.Migration):
    dependencies = [("offers", "0005_rubric_taxonomy")]

    operations = [migrations.RunPython(forwards, backwards)]
