"""Alembic environment: runs against the engine handed over in `config.attributes["engine"]`.

On SQLite a constraint change rebuilds its table (batch mode): the old table is dropped, which with
foreign keys enforced counts as deleting every row other tables refer to. So foreign keys are off while
the migrations run (PRAGMA foreign_keys only changes outside a transaction), every reference is checked
before the commit, and they are on again after it.
"""

from __future__ import annotations

from alembic import context

from scoring.storage.tables import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    try:
        with connection.begin():
            context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=sqlite)
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration left rows referring to nothing (table, rowid, parent): "
                                       f"{broken[:10]}")
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
