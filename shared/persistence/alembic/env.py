"""The one Alembic environment; each service's revisions live in services/<name>/migrations/."""

import importlib

from alembic import context

from shared.persistence.engine import create_engine_for

config = context.config
service = config.attributes["service"]
target_metadata = importlib.import_module(f"services.{service}.models").metadata

engine = create_engine_for(config.attributes["url"])
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
