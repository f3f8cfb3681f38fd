"""Whether the help desk's tables are in the database, at the revision
this code needs.

An operator may enable the plugin before running
``ckan db upgrade -p helpdesk``. CKAN's own features must keep working
then: the dataset hooks do nothing, CKAN's pages show no help desk, and
every help desk page and Open311 answer is a 503 naming the command (and
the log says it once). Once the database is at the code's revision the
answer is kept for the life of the process, so a ready portal pays one
query per process, not per request.
"""
from __future__ import annotations

import logging
import pathlib
from typing import Optional

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

import ckan.model as model
import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)

UPGRADE_COMMAND = "ckan db upgrade -p helpdesk"
MIGRATIONS = pathlib.Path(__file__).parent / "migration" / "helpdesk"
VERSION_TABLE = "helpdesk_alembic_version"

_ready = False
_told = False


def head_revision() -> str:
    """The revision of the newest migration shipped with this code."""
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def database_revision() -> Optional[str]:
    """The help desk revision the database is at; None before its first
    migration. Asks whether the version table exists first, so a missing
    table never aborts the caller's transaction (a dataset update's)."""
    if model.Session.execute(sa.select(
            sa.func.to_regclass(VERSION_TABLE))).scalar() is None:
        return None
    return model.Session.execute(sa.text(
        f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def tables_ready() -> bool:
    """True when the database is at the code's revision."""
    global _ready
    if not _ready:
        _ready = database_revision() == head_revision()
    return _ready


def not_ready_message() -> str:
    found = database_revision() or tk._("no help desk tables")
    return tk._("The help desk is not set up in this portal's database "
                "yet ({found}; this version needs {needed}). An "
                "administrator must run: {command}").format(
        found=found, needed=head_revision(), command=UPGRADE_COMMAND)


def refuse_until_ready():
    """A blueprint's before-request hook: 503 naming the command until
    the tables are there."""
    global _told
    if tables_ready():
        return None
    message = not_ready_message()
    if not _told:
        log.error(message)
        _told = True
    tk.abort(503, message)
