"""The anonymous page cache follows what the timeline shows of recommendations: any committed
change to these tables ends the stored pages (gsx_portal.page_cache)."""

from importlib import import_module

from django.db import migrations

generation = import_module("gsx_portal.migrations.0003_page_cache_generation")

# The tables as they are named at this migration (gsx_portal.page_cache.TRACKED_TABLES).
TABLES = (
    "recommendations_sourcedocument",
    "recommendations_recommendation",
    "recommendations_reviewcycle",
)


class Migration(migrations.Migration):
    dependencies = [
        ("gsx_portal", "0003_page_cache_generation"),
        ("recommendations", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            "".join(generation.TRIGGERS.format(table=table) for table in TABLES),
            reverse_sql="".join(generation.DROP_TRIGGERS.format(table=table) for table in TABLES),
        ),
    ]
