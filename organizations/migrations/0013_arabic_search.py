import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.functions.text
from django.db import migrations, models

import organizations.search
from organizations.search_sql import CREATE, DROP


class Migration(migrations.Migration):
    """Search folds Arabic letter forms and articles (organizations/search_sql.py): the functions,
    then the generated document and the trigram name key rebuilt on them. PostgreSQL cannot change
    a generated column's expression, so the column and its index are dropped and added again."""

    dependencies = [
        ("organizations", "0012_vetting_documents"),
    ]

    operations = [
        migrations.RunSQL(CREATE, DROP),
        migrations.RemoveIndex(model_name="organization", name="organization_name_trgm"),
        migrations.RemoveIndex(model_name="organization", name="organization_search"),
        migrations.RemoveField(model_name="organization", name="search_document"),
        migrations.AddField(
            model_name="organization",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.contrib.postgres.search.SearchVector(
                    organizations.search.SearchText(
                        django.db.models.functions.text.Concat(
                            "name",
                            models.Value(" "),
                            "acronym",
                            models.Value(" "),
                            "summary",
                            output_field=models.TextField(),
                        )
                    ),
                    config="simple",
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
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
                django.contrib.postgres.indexes.OpClass(
                    organizations.search.SearchNormalise("name"), name="gin_trgm_ops"
                ),
                name="organization_name_trgm",
            ),
        ),
    ]
