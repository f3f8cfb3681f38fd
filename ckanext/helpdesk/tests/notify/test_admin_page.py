"""The sysadmins' page of recent help desk email."""
import pytest

from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

URL = "/ckan-admin/helpdesk/notifications"


def _headers(user):
    return {"Authorization": factories.APIToken(user=user["name"])["token"]}


def test_sysadmins_see_pending_and_sent_email(people, report, app):
    report(title="Stop 12 is missing")

    page = app.get(URL, headers=_headers(people["sysadmin"]))

    assert page.status_code == 200
    assert "pending (3)" in page.body
    assert "#1 Stop 12 is missing" in page.body
    assert people["admin"]["email"] in page.body


def test_the_page_is_for_sysadmins_only(people, app):
    assert app.get(URL, headers=_headers(people["admin"])).status_code == 403
    assert app.get(URL).status_code == 403
