"""The anonymous page cache follows every table the recommendations' public pages read
(browse, a recommendation, a source, the dashboard): any committed change ends the stored pages
(gsx_portal.page_cache)."""

from importlib import import_module

from django.db import migrations

generation = import_module("gsx_portal.migrations.0003_page_cache_generation")

# The tables as they are named at this migration (gsx_portal.page_cache.TRACKED_TABLES).
TABLES = (
    "recommendations_addresseeresponse",
    "recommendations_implementationupdate",
    "recommendations_cyclesnapshot",
    "recommendations_recommendation_themes",
    "recommendations_recommendation_repeats",
    "recommendations_recommendation_action_points",
    "recommendations_sourcedocument_publishers",
)


class Migration(migrations.Migration):
    dependencies = [
        ("gsx_portal", "0003_page_cache_generation"),
        ("recommendations", "0003_current_status_per_perspective"),
    ]

    operations = [
        migrations.RunSQL(
            "".join(generation.TRIGGERS.format(table=table) for table in TABLES),
            reverse_sql="".join(generation.DROP_TRIGGERS.format(table=table) for table in TABLES),
        ),
    ]
