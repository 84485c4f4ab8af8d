"""What the statements need beyond the model state.

- `match_text` for the quotes already stored (new saves derive it: quotes.models.quotes).
- SQLite rebuilt quotes_quote to add `match_text` (a column with a default), and the copy lost
  the span-within-source trigger: restored (quotes 0007 did the same).
- PostgreSQL only (core.db.PostgreSQLOnly; SQLite has no such indexes, and its fallback scans
  one speaker's quotes in Python, quotes.statements):
  - the pg_trgm and btree_gin extensions (both trusted: a database owner may create them);
  - a GIN index on (speaker_id, match_text gin_trgm_ops): the `%` similarity and the LIKE of
    containment, within one speaker, in one index scan;
  - a B-tree on (speaker_id, md5(match_text)): exact matches and the shorter quotes inside a
    new one, by equality (a B-tree on the text itself would refuse texts over ~2,700 bytes);
  - the speaker rule in the database: a quote's (statement, speaker) must be a statement's
    (id, speaker), a composite foreign key that Django cannot declare.
"""

from django.db import migrations

from core.db import PostgreSQLOnly
from sources.db import RestoreSpanBoundsTrigger


def derive_match_text(apps, schema_editor):
    from quotes.matching import match_text

    Quote = apps.get_model("quotes", "Quote")
    for quote in Quote.objects.only("pk", "text").iterator():
        Quote.objects.filter(pk=quote.pk).update(match_text=match_text(quote.text))


class Migration(migrations.Migration):
    dependencies = [("quotes", "0009_statements")]

    operations = [
        RestoreSpanBoundsTrigger("quote"),
        migrations.RunPython(derive_match_text, migrations.RunPython.noop, elidable=True),
        PostgreSQLOnly(
            sql=[
                "CREATE EXTENSION IF NOT EXISTS pg_trgm;",
                "CREATE EXTENSION IF NOT EXISTS btree_gin;",
                "CREATE INDEX quote_speaker_match_trgm ON quotes_quote "
                "USING gin (speaker_id, match_text gin_trgm_ops);",
                "CREATE INDEX quote_speaker_match_md5 ON quotes_quote "
                "(speaker_id, md5(match_text));",
                "ALTER TABLE quotes_statement ADD CONSTRAINT statement_id_speaker_unique "
                "UNIQUE (id, speaker_id);",
                "ALTER TABLE quotes_quote ADD CONSTRAINT quote_statement_same_speaker "
                "FOREIGN KEY (statement_id, speaker_id) "
                "REFERENCES quotes_statement (id, speaker_id) DEFERRABLE INITIALLY DEFERRED;",
            ],
            # The extensions stay: other tables may use them.
            reverse_sql=[
                "ALTER TABLE quotes_quote DROP CONSTRAINT IF EXISTS quote_statement_same_speaker;",
                "ALTER TABLE quotes_statement DROP CONSTRAINT IF EXISTS "
                "statement_id_speaker_unique;",
                "DROP INDEX IF EXISTS quote_speaker_match_md5;",
                "DROP INDEX IF EXISTS quote_speaker_match_trgm;",
            ],
        ),
    ]
