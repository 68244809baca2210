"""The anonymous page cache's generation (gsx_portal/page_cache.py).

One row holds the id of the last transaction that changed a table whose rows anonymous pages
show. Triggers set it, so every write is seen: services, the admin, ``QuerySet.update()``,
deletions, the Celery sweep, raw SQL, a restore.

The triggers are constraint triggers deferred to commit: the row is locked only for the instant
of the commit, as the transaction's last step, so writers never wait on it while holding other
locks (no deadlock), and the new generation becomes visible together with the change (a page
cached meanwhile is keyed on the old one). Row triggers, but the first one in a transaction does
the update and the others see a transaction-local flag. TRUNCATE is caught by a statement
trigger. The table is not a Django model: ``flush`` leaves it, and it needs no admin.
"""

from django.db import migrations

# The tables as they are named at this migration (gsx_portal.page_cache.TRACKED_TABLES; a test
# checks that the two agree).
TABLES = (
    "organizations_organization",
    "organizations_organization_themes",
    "organizations_theme",
    "organizations_requesterverification",
    "organizations_vettingapplication",
)

FUNCTION = """
CREATE TABLE gsx_page_cache_generation (
    id smallint PRIMARY KEY CHECK (id = 1),
    value bigint NOT NULL
);
INSERT INTO gsx_page_cache_generation (id, value) VALUES (1, txid_current());

CREATE FUNCTION gsx_page_cache_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('gsx.page_cache_bumped', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('gsx.page_cache_bumped', 'on', true);
        INSERT INTO gsx_page_cache_generation (id, value) VALUES (1, txid_current())
            ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value;
    END IF;
    RETURN NULL;
END
$$;
"""

TRIGGERS = """
CREATE CONSTRAINT TRIGGER gsx_page_cache_on_write
    AFTER INSERT OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION gsx_page_cache_bump();
CREATE CONSTRAINT TRIGGER gsx_page_cache_on_update
    AFTER UPDATE ON {table} DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION gsx_page_cache_bump();
CREATE TRIGGER gsx_page_cache_on_truncate
    AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION gsx_page_cache_bump();
"""

DROP_TRIGGERS = """
DROP TRIGGER gsx_page_cache_on_write ON {table};
DROP TRIGGER gsx_page_cache_on_update ON {table};
DROP TRIGGER gsx_page_cache_on_truncate ON {table};
"""


class Migration(migrations.Migration):
    dependencies = [
        ("gsx_portal", "0002_notifications"),
        ("organizations", "0015_organization_summary_translations"),
    ]

    operations = [
        migrations.RunSQL(
            FUNCTION + "".join(TRIGGERS.format(table=table) for table in TABLES),
            reverse_sql="".join(DROP_TRIGGERS.format(table=table) for table in TABLES)
            + "DROP FUNCTION gsx_page_cache_bump(); DROP TABLE gsx_page_cache_generation;",
        ),
    ]
