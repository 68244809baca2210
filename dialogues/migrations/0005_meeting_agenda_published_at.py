import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0004_plain_text_fields"),
        ("organizations", "0017_directory_list_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="meeting",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="meeting",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="meeting",
            name="delete_delete",
        ),
        migrations.AddField(
            model_name="meeting",
            name="agenda_published_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="meetingevent",
            name="agenda_published_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        # Agendas already shown: published at some moment before now, unknown. The meeting's
        # creation is no later than that, and old enough that no reminder goes out for them.
        # Before the history triggers come back: a backfill is no one's change.
        migrations.RunSQL(
            """
            UPDATE dialogues_meeting SET agenda_published_at = created_at
            WHERE status <> 'draft'
              AND EXISTS (SELECT 1 FROM dialogues_agendaitem a WHERE a.meeting_id = dialogues_meeting.id)
            """,
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name="participation",
            index=models.Index(
                condition=models.Q(("status", "invited"), ("user__isnull", False)),
                fields=["invited_at"],
                name="participation_unanswered",
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="meeting",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "dialogues_meetingevent" ("agenda_published_at", "cancellation_reason", "capacity", "chatham_house", "city", "country", "created_at", "created_by_id", "ends_at", "format", "id", "join_url", "kind", "languages", "participants_published", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "public_id", "report", "starts_at", "status", "status_changed_at", "timezone", "title", "updated_at", "venue", "visa_lead_weeks", "working_group_id") VALUES (NEW."agenda_published_at", NEW."cancellation_reason", NEW."capacity", NEW."chatham_house", NEW."city", NEW."country", NEW."created_at", NEW."created_by_id", NEW."ends_at", NEW."format", NEW."id", NEW."join_url", NEW."kind", NEW."languages", NEW."participants_published", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."public_id", NEW."report", NEW."starts_at", NEW."status", NEW."status_changed_at", NEW."timezone", NEW."title", NEW."updated_at", NEW."venue", NEW."visa_lead_weeks", NEW."working_group_id"); RETURN NULL;',
                    hash="85245617577b1a89a257bde2050f1cf1e21eaf0e",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_96553",
                    table="dialogues_meeting",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="meeting",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "dialogues_meetingevent" ("agenda_published_at", "cancellation_reason", "capacity", "chatham_house", "city", "country", "created_at", "created_by_id", "ends_at", "format", "id", "join_url", "kind", "languages", "participants_published", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "public_id", "report", "starts_at", "status", "status_changed_at", "timezone", "title", "updated_at", "venue", "visa_lead_weeks", "working_group_id") VALUES (NEW."agenda_published_at", NEW."cancellation_reason", NEW."capacity", NEW."chatham_house", NEW."city", NEW."country", NEW."created_at", NEW."created_by_id", NEW."ends_at", NEW."format", NEW."id", NEW."join_url", NEW."kind", NEW."languages", NEW."participants_published", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."public_id", NEW."report", NEW."starts_at", NEW."status", NEW."status_changed_at", NEW."timezone", NEW."title", NEW."updated_at", NEW."venue", NEW."visa_lead_weeks", NEW."working_group_id"); RETURN NULL;',
                    hash="a33feec70791a6a1d6004510850127f4eb3e309d",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_5b9c8",
                    table="dialogues_meeting",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="meeting",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "dialogues_meetingevent" ("agenda_published_at", "cancellation_reason", "capacity", "chatham_house", "city", "country", "created_at", "created_by_id", "ends_at", "format", "id", "join_url", "kind", "languages", "participants_published", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "public_id", "report", "starts_at", "status", "status_changed_at", "timezone", "title", "updated_at", "venue", "visa_lead_weeks", "working_group_id") VALUES (OLD."agenda_published_at", OLD."cancellation_reason", OLD."capacity", OLD."chatham_house", OLD."city", OLD."country", OLD."created_at", OLD."created_by_id", OLD."ends_at", OLD."format", OLD."id", OLD."join_url", OLD."kind", OLD."languages", OLD."participants_published", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."public_id", OLD."report", OLD."starts_at", OLD."status", OLD."status_changed_at", OLD."timezone", OLD."title", OLD."updated_at", OLD."venue", OLD."visa_lead_weeks", OLD."working_group_id"); RETURN NULL;',
                    hash="c09a99961fddad4649f6d58114c9c4c772da21e0",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_c97ed",
                    table="dialogues_meeting",
                    when="AFTER",
                ),
            ),
        ),
    ]
