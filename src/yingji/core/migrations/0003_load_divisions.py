"""Load the national province/city/county/town list shipped in core/data/divisions.csv.gz."""

from django.db import migrations


def load(apps, schema_editor):
    from yingji.core.division_data import load_national_divisions

    load_national_divisions(apps.get_model("core", "Division"))


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop, elidable=False)]
