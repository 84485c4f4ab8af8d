"""Statement suggestions' candidates by size, within one speaker (PostgreSQL only).

- Near-verbatim: pg_trgm's similarity is shared / (n + m - shared) for texts of n and m
  distinct trigrams, so a similarity of at least t needs t*n <= m <= n/t: a B-tree on
  (speaker_id, the number of trigrams of match_text) finds the candidates, whose similarity
  is then computed (show_trgm() is immutable, so the expression can be indexed).
- Containment of a long text: a B-tree on (speaker_id, length(match_text)), for the quotes at
  least as long, searched with strpos().

At 1M quotes the trigram GIN index (quotes 0010) read the posting lists of every trigram of
the text over all speakers: seconds for a long text of common words (docs/statements.md,
"Statement suggestions at 1M quotes"). It still answers the LIKE of shorter texts.
"""

from django.db import migrations

from core.db import PostgreSQLOnly


class Migration(migrations.Migration):
    dependencies = [("quotes", "0010_statement_indexes_and_match_text")]

    operations = [
        PostgreSQLOnly(
            sql=[
                "CREATE INDEX IF NOT EXISTS quote_speaker_trgm_count ON quotes_quote "
                "(speaker_id, cardinality(show_trgm(match_text)));",
                "CREATE INDEX IF NOT EXISTS quote_speaker_match_length ON quotes_quote "
                "(speaker_id, length(match_text));",
            ],
            reverse_sql=[
                "DROP INDEX IF EXISTS quote_speaker_match_length;",
                "DROP INDEX IF EXISTS quote_speaker_trgm_count;",
            ],
        ),
    ]
