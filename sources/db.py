"""The span rule that a model cannot declare portably, as a migration operation.

A CheckConstraint sees one row, so "a span ends inside its source text" (which needs the
source's length) is enforced by a trigger on each span-holding table. `SourceSpan.clean()`
gives the friendly message first; the trigger is the backstop for writes that skip validation.
"""

from django.db.migrations.operations.base import Operation

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION span_within_source() RETURNS trigger AS $$
DECLARE source_length integer;
BEGIN
    SELECT char_length(text) INTO source_length FROM sources_source WHERE id = NEW.source_id;
    IF NEW."end" > source_length THEN
        RAISE EXCEPTION 'span [%%:%%] lies outside its source text of %% characters',
            NEW."start", NEW."end", source_length
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
"""

POSTGRES_TRIGGER = """
CREATE TRIGGER {table}_span_within_source
BEFORE INSERT OR UPDATE OF source_id, "start", "end" ON {table}
FOR EACH ROW EXECUTE FUNCTION span_within_source();
"""

SQLITE_TRIGGER = """
CREATE TRIGGER {table}_span_within_source_{event}
BEFORE {event_sql} ON {table}
WHEN NEW."end" > (SELECT length(text) FROM sources_source WHERE id = NEW.source_id)
BEGIN SELECT RAISE(ABORT, 'span lies outside its source text'); END;
"""


class CreateSpanBoundsTrigger(Operation):
    """Reject rows of a span-holding table whose span ends beyond its source text."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str):
        self.model_name = model_name

    def deconstruct(self):
        return self.__class__.__name__, [self.model_name], {}

    def state_forwards(self, app_label, state):
        pass  # Triggers are invisible to the model state.

    def _table(self, app_label, schema_editor, to_state):
        return to_state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        table = self._table(app_label, schema_editor, to_state)
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(POSTGRES_FUNCTION)
            schema_editor.execute(POSTGRES_TRIGGER.format(table=table))
        elif vendor == "sqlite":
            for event, event_sql in (
                ("insert", "INSERT"),
                ("update", 'UPDATE OF source_id, "end"'),
            ):
                schema_editor.execute(
                    SQLITE_TRIGGER.format(table=table, event=event, event_sql=event_sql)
                )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._drop(self._table(app_label, schema_editor, from_state), schema_editor)

    @staticmethod
    def _drop(table, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_span_within_source ON {table}")
        elif vendor == "sqlite":
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_span_within_source_{event}")

    def describe(self):
        return f"Create the span-within-source trigger on {self.model_name}"

    @property
    def migration_name_fragment(self):
        return f"{self.model_name.lower()}_span_trigger"


class RestoreSpanBoundsTrigger(CreateSpanBoundsTrigger):
    """Create the trigger again after a migration that rebuilt the table dropped it.

    To alter a column, SQLite's schema editor copies the table into a new one, which has no
    triggers: run this after such a migration. It is idempotent, and reversing it leaves the
    trigger to the migration that first created it.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._drop(self._table(app_label, schema_editor, to_state), schema_editor)
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self):
        return f"Restore the span-within-source trigger on {self.model_name}"
