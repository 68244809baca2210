import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.functions.text
from django.db import migrations, models

import organizations.search
from organizations.search_sql import CREATE_TERMS, DROP_TERMS


class Migration(migrations.Migration):
    """Search within a bounded set of candidates (organizations/search.py):

    - ``name_key``, the normalised name, stored, with the trigram index on the column instead of
      on the expression, so that neither the index's recheck nor the ranking normalises a name
      per row;
    - the document weighs the name and acronym A and the summary D, so that the candidates
      matched in the name can be taken first and rank first;
    - ``gsx_search_query_term``, the query fragment with a chosen ending (whole word or prefix,
      anywhere or in the name).

    PostgreSQL cannot change a generated column's expression, so the document and its index are
    dropped and added again (every row is rewritten once).
    """

    dependencies = [
        ("organizations", "0015_organization_summary_translations"),
    ]

    operations = [
        migrations.RunSQL(CREATE_TERMS, DROP_TERMS),
        migrations.RemoveIndex(model_name="organization", name="organization_name_trgm"),
        migrations.RemoveIndex(model_name="organization", name="organization_search"),
        migrations.RemoveField(model_name="organization", name="search_document"),
        migrations.AddField(
            model_name="organization",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.contrib.postgres.search.CombinedSearchVector(
                    django.contrib.postgres.search.SearchVector(
                        organizations.search.SearchText(
                            django.db.models.functions.text.Concat(
                                "name",
                                models.Value(" "),
                                "acronym",
                                output_field=models.TextField(),
                            )
                        ),
                        config="simple",
                        weight="A",
                    ),
                    "||",
                    django.contrib.postgres.search.SearchVector(
                        organizations.search.SearchText("summary"), config="simple", weight="D"
                    ),
                    django.contrib.postgres.search.SearchConfig("simple"),
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="name_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=organizations.search.SearchNormalise("name"),
                output_field=models.TextField(),
            ),
        ),
        migrations.AddIndex(
            model_name="organization",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_document"], name="organization_search"
            ),
        ),
        migrations.AddIndex(
            model_name="organization",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["name_key"], name="organization_name_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
    ]
