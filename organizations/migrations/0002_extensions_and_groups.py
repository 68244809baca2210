from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

PRIVILEGED_GROUPS = ("secretariat", "convener")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in PRIVILEGED_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        migrations.RunPython(create_groups, migrations.RunPython.noop),
    ]
