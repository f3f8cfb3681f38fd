"""The sysadmins' page of help desk email, inside /ckan-admin: paged and
filtered, each email previewable as sent, and a test email on demand."""
import re

import pytest

from ckan.tests import factories

from ckanext.helpdesk.tests.notify.conftest import notifications

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


def test_the_page_sits_inside_the_ckan_admin_tabs(people, app):
    page = app.get(URL, headers=_headers(people["sysadmin"])).body

    assert 'href="/ckan-admin/config"' in page  # CKAN's own admin tabs
    assert 'href="/ckan-admin/helpdesk/notifications"' in page


def test_the_page_is_paginated(people, report, app):
    for number in range(18):  # 3 emails each: 54, over a page of 50
        report(title=f"Report {number}")

    first = app.get(URL, headers=_headers(people["sysadmin"])).body
    second = app.get(URL + "?page=2", headers=_headers(people["sysadmin"])
                     ).body

    assert "54 emails" in first
    assert first.count('class="helpdesk-preview-link"') == 50
    assert second.count('class="helpdesk-preview-link"') == 4
    assert "Report 0" in second and "Report 0<" not in first


def test_filters_by_status_kind_and_address(people, report, app):
    report(title="Stop 12 is missing")
    headers = _headers(people["sysadmin"])

    by_kind = app.get(URL + "?kind=confirmation", headers=headers).body
    by_address = app.get(URL + "?email=" + people["admin"]["email"][:6],
                         headers=headers).body
    by_status = app.get(URL + "?status=sent", headers=headers).body

    assert "1 email" in by_kind and people["reporter"]["email"] in by_kind
    assert people["admin"]["email"] in by_address
    assert people["reporter"]["email"] not in by_address
    assert "0 emails" in by_status


@pytest.mark.parametrize("query, field", [
    ("status=lost", "status"), ("kind=spam", "kind"), ("email=a%00b", "email"),
])
def test_a_bad_filter_is_refused_naming_it(people, app, query, field):
    response = app.get(f"{URL}?{query}", headers=_headers(people["sysadmin"]))

    assert response.status_code == 400
    assert f"{field}:" in response.body


def test_each_email_is_previewed_as_sent_and_the_preview_changes_nothing(
        people, report, app, run_jobs, mail):
    issue = report(title="Stop 12 is missing")
    run_jobs()
    sent = notifications(issue_id=issue["id"], email=people["admin"]["email"])
    [notification] = sent
    token_hash = notification.token_hash
    message = mail.wait_for(3)[0][1]

    page = app.get(f"{URL}/{notification.id}",
                   headers=_headers(people["sysadmin"])).body

    assert ("[Helpdesk Test Portal] New issue #1 on Bus stops: "
            "Stop 12 is missing") in page
    for header in ("From", "To", "Subject", "List-Unsubscribe",
                   "Message-ID", "Auto-Submitted"):
        assert f'<th scope="row">{header}</th>' in page
    assert f"&lt;helpdesk-notification-{notification.id}@" in page
    assert "The stop on Main Street is gone." in page
    assert 'sandbox=""' in page and "srcdoc=" in page
    [after] = notifications(issue_id=issue["id"],
                            email=people["admin"]["email"])
    assert after.token_hash == token_hash and after.status == "sent"
    assert message["Subject"]  # the real one went out before


def test_a_sysadmin_sends_themself_a_test_email(people, app, mail):
    sysadmin = people["sysadmin"]
    headers = _headers(sysadmin)
    page = app.get(URL, headers=headers).body
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)

    page = app.post(URL + "/test", data={"_csrf_token": token},
                    headers=headers, follow_redirects=True).body

    assert f"A test email was sent to {sysadmin['email']}" in page
    [(recipients, message)] = mail.wait_for(1)
    assert recipients == [sysadmin["email"]]
    assert message["Subject"] == "[Helpdesk Test Portal] Help desk test email"


def test_the_test_email_says_why_it_failed_when_smtp_is_down(people, app,
                                                             mail):
    headers = _headers(people["sysadmin"])
    page = app.get(URL, headers=headers).body
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    mail.stop()

    page = app.post(URL + "/test", data={"_csrf_token": token},
                    headers=headers, follow_redirects=True).body

    assert "The test email could not be sent" in page


def test_only_sysadmins_preview_and_send_test_email(people, report, app):
    issue = report()
    [notification] = notifications(issue_id=issue["id"],
                                   email=people["admin"]["email"])
    headers = _headers(people["admin"])

    assert app.get(f"{URL}/{notification.id}",
                   headers=headers).status_code == 403
    assert app.post(URL + "/test", headers=headers).status_code in (400, 403)
