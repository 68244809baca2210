from django.db import migrations

# Frozen here: the migration must do the same thing whatever languages.py says later.
DROPPED = ["eo", "ia", "ie", "io", "vo", "jbo", "tlh"]


def drop_constructed_languages(apps, schema_editor):
    """Constructed languages are no longer offered as working languages; a profile that named one
    keeps its other languages, so that it can still be saved (the model refuses unknown codes)."""
    Organization = apps.get_model("organizations", "Organization")
    for organization in Organization.objects.filter(working_languages__overlap=DROPPED):
        organization.working_languages = [
            code for code in organization.working_languages if code not in DROPPED
        ]
        organization.save(update_fields=["working_languages"])


class Migration(migrations.Migration):
    dependencies = [("organizations", "0013_arabic_search")]

    operations = [migrations.RunPython(drop_constructed_languages, migrations.RunPython.noop)]
