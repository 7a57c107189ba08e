from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("offers", "0006_default_rubrics")]

    operations = [migrations.RemoveField(model_name="offer", name="rubric_text")]
