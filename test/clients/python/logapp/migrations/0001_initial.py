"""Two ways to make a Django model's table a cocoon table in a migration.

1. LogEntry: let CreateModel write the DDL (heap), then convert the empty table with
   RunSQL("ALTER TABLE ... SET ACCESS METHOD cocoon"); indexes are rebuilt with it.
2. AuditEvent: SeparateDatabaseAndState -- Django's state gets CreateModel, the
   database gets hand-written CREATE TABLE ... USING cocoon.

(A third way needs no migration code: connection OPTIONS
{"options": "-c default_table_access_method=cocoon"} makes every table Django
creates on that connection a cocoon table; see django_test.py.)
"""
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="LogEntry",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("ts", models.DateTimeField(db_index=True)),
                ("level", models.CharField(max_length=8)),
                ("service", models.CharField(max_length=32)),
                ("host", models.CharField(max_length=64)),
                ("message", models.TextField(null=True)),
                ("status", models.IntegerField()),
                ("latency_ms", models.FloatField()),
                ("trace_id", models.UUIDField(null=True)),
                ("attrs", models.JSONField(default=dict)),
            ],
            options={
                "indexes": [models.Index(fields=["service", "ts"], name="logentry_service_ts")],
            },
        ),
        migrations.RunSQL(
            sql="ALTER TABLE logapp_logentry SET ACCESS METHOD cocoon",
            reverse_sql="ALTER TABLE logapp_logentry SET ACCESS METHOD heap",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("ts", models.DateTimeField(auto_now_add=True)),
                        ("actor", models.CharField(max_length=64)),
                        ("action", models.CharField(max_length=64)),
                        ("detail", models.JSONField(null=True)),
                    ],
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql="""CREATE TABLE logapp_auditevent (
                               id bigserial PRIMARY KEY,
                               ts timestamptz NOT NULL,
                               actor varchar(64) NOT NULL,
                               action varchar(64) NOT NULL,
                               detail jsonb NULL
                           ) USING cocoon""",
                    reverse_sql="DROP TABLE logapp_auditevent",
                ),
            ],
        ),
    ]
