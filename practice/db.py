"""Database-level guards for the practice boundary."""

from django.db.migrations.operations.base import Operation


class AddSamePracticeForeignKey(Operation):
    """On PostgreSQL, make `model.field` a composite foreign key that keeps the practice.

    `(practice_id, <field>_id)` must match `(practice_id, id)` of the target, so the database
    itself refuses a row that points into another practice, and the tables stay ready to be
    distributed by practice. Other databases (the embedded SQLite) rely on the application.
    """

    reversible = True

    def __init__(self, model_name: str, field_name: str):
        self.model_name = model_name
        self.field_name = field_name

    def state_forwards(self, app_label, state):
        pass

    def _names(self, app_label, state):
        model = state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.field_name)
        table = model._meta.db_table
        return (
            table,
            field.column,
            field.related_model._meta.db_table,
            f"{table}_{field.column}_same_practice",
        )

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table, column, target, name = self._names(app_label, to_state)
        schema_editor.execute(
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" '
            f'FOREIGN KEY ("practice_id", "{column}") REFERENCES "{target}" ("practice_id", "id") '
            "DEFERRABLE INITIALLY DEFERRED"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table, _, _, name = self._names(app_label, from_state)
        schema_editor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')

    def describe(self):
        return f"Keep the practice in the foreign key {self.model_name}.{self.field_name}"

    def deconstruct(self):
        return (
            self.__class__.__qualname__,
            [],
            {"model_name": self.model_name, "field_name": self.field_name},
        )
