"""Moving one app's schema back and forth in a test of a data migration."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(app: str, target: str) -> Any:
    """Migrate ``app`` to its migration ``target``; return the app registry of that state."""
    if connection.vendor == "postgresql":
        # In one test transaction: checks run at once, or the next ALTER TABLE finds them pending.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate([(app, target)])
    executor.loader.build_graph()
    return executor.loader.project_state([(app, target)]).apps


def migrate_to_latest(app: str) -> None:
    """Bring ``app`` back to its latest migration, for the tests that follow."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes(app))
