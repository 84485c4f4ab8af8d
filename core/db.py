"""Migration operations for what a model cannot declare portably: PostgreSQL-only SQL and the
full-text search vectors (a trigger and a GIN index per searchable table)."""

from django.db import migrations


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL that runs on PostgreSQL and does nothing elsewhere (full-text search, GIN)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def search_vector_sql(table: str, weighted_columns: dict[str, str]) -> PostgreSQLOnly:
    """Keep `table.search_vector` up to date from its text columns, with a GIN index on it.

    `weighted_columns` maps a column to its weight (A ranks above B): a title outranks the body.
    """
    vector = " || ".join(
        f"setweight(to_tsvector('english', coalesce(NEW.{column}, '')), '{weight}')"
        for column, weight in weighted_columns.items()
    )
    columns = ", ".join(weighted_columns)
    backfill = " || ".join(
        f"setweight(to_tsvector('english', coalesce({column}, '')), '{weight}')"
        for column, weight in weighted_columns.items()
    )
    return PostgreSQLOnly(
        sql=[
            f"""CREATE FUNCTION {table}_search_vector_update() RETURNS trigger AS $$
            BEGIN NEW.search_vector := {vector}; RETURN NEW; END $$ LANGUAGE plpgsql;""",
            f"""CREATE TRIGGER {table}_search_vector BEFORE INSERT OR UPDATE OF {columns}
            ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_search_vector_update();""",
            f"UPDATE {table} SET search_vector = {backfill};",
            f"CREATE INDEX {table}_search_vector_gin ON {table} USING gin (search_vector);",
        ],
        reverse_sql=[
            f"DROP INDEX IF EXISTS {table}_search_vector_gin;",
            f"DROP TRIGGER IF EXISTS {table}_search_vector ON {table};",
            f"DROP FUNCTION IF EXISTS {table}_search_vector_update();",
        ],
    )
