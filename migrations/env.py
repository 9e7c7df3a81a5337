"""Alembic environment: the application's metadata, with SQLite-friendly batch mode."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from jgrad.db import ALEMBIC_OPTIONS

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
target_metadata = db.metadata


def _skip_empty(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_offline():
    url = db.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      **ALEMBIC_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    options = {**ALEMBIC_OPTIONS, **current_app.extensions["migrate"].configure_args}
    options.setdefault("process_revision_directives", _skip_empty)
    with db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
