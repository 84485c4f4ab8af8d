"""Migration 0006 altered quotes_quote, which SQLite does by rebuilding the table: the copy lost
the span-within-source trigger of 0002. This puts it back (on PostgreSQL it was never lost, and
is recreated as it was)."""

from django.db import migrations

from sources.db import RestoreSpanBoundsTrigger


class Migration(migrations.Migration):
    dependencies = [("quotes", "0006_history_and_review_status")]

    operations = [RestoreSpanBoundsTrigger("quote")]
