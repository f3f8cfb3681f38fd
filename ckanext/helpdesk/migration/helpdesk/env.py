"""Alembic environment of the helpdesk plugin's migrations.

CKAN runs these through `ckan db upgrade -p helpdesk`; the version table is
`helpdesk_alembic_version`, so they never touch CKAN core's own history.
"""
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
fileConfig(config.config_file_name)
version_table = "{}_alembic_version".format(
    os.path.basename(os.path.dirname(__file__)))


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=None, literal_binds=True,
        version_table=version_table)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = engine_from_config(
        config.get_section(config.config_ini_section),
        prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=None,
                          version_table=version_table)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
