"""A pytest plugin for running CKAN's own tests beside the help desk
(bin/core-tests loads it with ``-p``, once without the plugin and once
with it; the two runs must end alike).

CKAN's pytest plugin unloads every non-system plugin before the tests
start and gives a test the plugins of ``ckan.plugins`` back only through
its ``with_plugins`` fixture, and its ``clean_db`` recreates CKAN's tables
only. A portal runs with its plugins loaded and its tables migrated, so
here every test gets ``ckan.plugins`` loaded and every database reset gets
the help desk's tables back, in both runs: the one difference between
them is whether the plugin is enabled.
"""
import pytest


@pytest.fixture(autouse=True)
def _configured_plugins(with_plugins):
    """The plugins of ckan.plugins (none, or helpdesk) loaded in every
    test, as in a running portal; a test naming its own plugins with the
    ckan_config mark still gets only those."""


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """CKAN's clean_db, then the help desk's migrations, as after
    `ckan db upgrade` on a portal."""
    reset_db()
    migrate_db_for("helpdesk")
