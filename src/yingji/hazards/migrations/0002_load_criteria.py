"""Load the shipped 重大事故隐患判定标准 checklists (data/*.csv) as HazardCriterion rows."""

from django.db import migrations


def load(apps, schema_editor):
    from yingji.hazards.rules import shipped_criteria

    HazardCriterion = apps.get_model("hazards", "HazardCriterion")
    for c in shipped_criteria():
        HazardCriterion.objects.update_or_create(
            code=c.code,
            defaults={
                "standard": c.standard,
                "number": c.number,
                "short": c.short,
                "text": c.text,
                "source": c.source,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
