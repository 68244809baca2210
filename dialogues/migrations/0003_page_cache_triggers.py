"""The anonymous page cache follows dialogues' public pages (the meeting page, working groups,
the timeline): the same triggers as gsx_portal's migration 0003 on the tables they read, so
that any committed change to them ends the stored pages (gsx_portal.page_cache)."""

from importlib import import_module

from django.db import migrations

generation = import_module("gsx_portal.migrations.0003_page_cache_generation")

# The tables as they are named at this migration (gsx_portal.page_cache.TRACKED_TABLES).
TABLES = (
    "dialogues_workinggroup",
    "dialogues_workinggroup_themes",
    "dialogues_meeting",
    "dialogues_meeting_host_organizations",
    "dialogues_agendaitem",
)


class Migration(migrations.Migration):
    dependencies = [
        ("gsx_portal", "0003_page_cache_generation"),
        ("dialogues", "0002_visa_letter_initials_and_one_in_force"),
    ]

    operations = [
        migrations.RunSQL(
            "".join(generation.TRIGGERS.format(table=table) for table in TABLES),
            reverse_sql="".join(generation.DROP_TRIGGERS.format(table=table) for table in TABLES),
        ),
    ]
