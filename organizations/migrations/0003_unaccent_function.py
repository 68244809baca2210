from django.db import migrations

# unaccent() is only STABLE (it reads its dictionary); generated columns and indexes need an
# IMMUTABLE function. Naming the dictionary explicitly makes the wrapper safe to declare so.
CREATE = """
CREATE OR REPLACE FUNCTION gsx_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
"""


class Migration(migrations.Migration):
    dependencies = [("organizations", "0002_extensions_and_groups")]

    operations = [migrations.RunSQL(CREATE, "DROP FUNCTION IF EXISTS gsx_unaccent(text);")]
