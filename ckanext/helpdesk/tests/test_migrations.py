"""The help desk's tables come and go only with its alembic migrations:
upgrade from nothing, downgrade back to nothing (whatever later revisions
of other streams sit on top of hd0001), upgrade again."""
import pytest
import sqlalchemy as sa

import ckan.model as model

CORE_TABLES = {
    "helpdesk_issue", "helpdesk_issue_counter", "helpdesk_comment",
    "helpdesk_event", "helpdesk_vote", "helpdesk_subscription",
    "helpdesk_abuse_report", "helpdesk_last_seen",
}
VERSION_TABLE = "helpdesk_alembic_version"


def helpdesk_tables():
    model.Session.remove()
    with model.meta.engine.connect() as connection:
        names = sa.inspect(connection).get_table_names()
    return {name for name in names
            if name.startswith("helpdesk_") and name != VERSION_TABLE}


def applied_revision():
    with model.meta.engine.connect() as connection:
        return connection.execute(
            sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_upgrade_from_empty_downgrade_to_empty_upgrade_again(migrate_db_for):
    migrate_db_for("helpdesk", "base", forward=False)
    assert helpdesk_tables() == set()
    assert applied_revision() is None

    migrate_db_for("helpdesk")
    upgraded = helpdesk_tables()
    head = applied_revision()
    assert CORE_TABLES <= upgraded
    assert head is not None

    migrate_db_for("helpdesk", "base", forward=False)
    assert helpdesk_tables() == set()
    assert applied_revision() is None

    migrate_db_for("helpdesk")
    assert helpdesk_tables() == upgraded
    assert applied_revision() == head


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_no_foreign_key_reaches_into_ckan_tables():
    """Purging a dataset, user or organization never cascades into the
    help desk."""
    model.Session.remove()
    with model.meta.engine.connect() as connection:
        inspector = sa.inspect(connection)
        targets = {foreign_key["referred_table"]
                   for table in CORE_TABLES
                   for foreign_key in inspector.get_foreign_keys(table)}
    assert targets <= CORE_TABLES
