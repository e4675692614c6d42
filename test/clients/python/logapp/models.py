"""Django models for the cocoon client test.  Both tables are cocoon tables, made so
by migrations/0001_initial.py (Django has no table-access-method option)."""
from django.db import models


class LogEntry(models.Model):
    """Created by CreateModel, then converted with ALTER TABLE ... SET ACCESS METHOD cocoon."""
    id = models.BigAutoField(primary_key=True)
    ts = models.DateTimeField(db_index=True)
    level = models.CharField(max_length=8)
    service = models.CharField(max_length=32)
    host = models.CharField(max_length=64)
    message = models.TextField(null=True)
    status = models.IntegerField()
    latency_ms = models.FloatField()
    trace_id = models.UUIDField(null=True)
    attrs = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["service", "ts"], name="logentry_service_ts")]


class AuditEvent(models.Model):
    """Created by raw DDL (CREATE TABLE ... USING cocoon) in SeparateDatabaseAndState."""
    id = models.BigAutoField(primary_key=True)
    ts = models.DateTimeField(auto_now_add=True)
    actor = models.CharField(max_length=64)
    action = models.CharField(max_length=64)
    detail = models.JSONField(null=True)
