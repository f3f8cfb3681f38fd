"""An email to an organization's address (helpdesk+org-<name>@) opens an
issue there: a data request, or a question on the dataset named in the
subject ("[bus-stops]") or linked in the body when it is the
organization's and the sender may see it. From an account's address it is
that account's; from any other address only where visitors may report,
with the same address confirmation as the web form. The sender gets the
confirmation email with the issue's link. An unknown organization is
refused with a clear message and answered by no email."""
import pytest

import ckan.model as model
from ckan.tests import factories

from ckanext.helpdesk.mailin import receive
from ckanext.helpdesk.model import Issue, MailRefusal
from ckanext.helpdesk.tests.mail.conftest import (
    DOMAIN, REPLY_DOMAIN, compose, delivered, send_written, text_of)

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              REPLY_DOMAIN]


def org_address(people):
    return f"helpdesk+org-{people['organization']['name']}@{DOMAIN}"


def write_in(people, sender, subject, text, recipient=None, **headers):
    recipient = recipient or org_address(people)
    message = compose(sender, recipient, subject, text, **headers)
    return receive.receive(message.as_bytes(), recipient)


def the_issue():
    model.Session.expire_all()
    return model.Session.query(Issue).one()


def test_an_email_from_an_account_opens_a_data_request_and_is_confirmed(
        people, mail):
    outcome = write_in(people, people["reporter"]["email"],
                       "Timetables of the night buses",
                       "Could you publish them as GTFS?\n\n-- \nRita")

    assert (outcome.code, outcome.exit_code) == (250, 0)
    issue = the_issue()
    assert (issue.organization_id, issue.dataset_id, issue.category) == (
        people["organization"]["id"], None, "data-request")
    assert issue.reporter_id == people["reporter"]["id"]
    assert issue.title == "Timetables of the night buses"
    assert issue.description == "Could you publish them as GTFS?"
    send_written()
    confirmation = delivered(mail, 3)[people["reporter"]["email"]]
    link = (f"/organization/{people['organization']['name']}/requests/"
            f"{issue.number}")
    assert link in text_of(confirmation)


def test_a_dataset_named_in_the_subject_gets_the_question(people):
    name = people["dataset"]["name"]

    outcome = write_in(people, people["reporter"]["email"],
                       f"[{name}] Stop 12 is missing",
                       "The stop on Main Street is gone.")

    assert outcome.code == 250
    issue = the_issue()
    assert (issue.dataset_id, issue.category, issue.title) == (
        people["dataset"]["id"], "question", "Stop 12 is missing")


def test_a_dataset_linked_in_the_body_gets_the_question(people):
    name = people["dataset"]["name"]

    write_in(people, people["reporter"]["email"], "Stop 12",
             f"In https://data.example.org/dataset/{name} stop 12 is gone.")

    assert the_issue().dataset_id == people["dataset"]["id"]


def test_a_private_dataset_the_sender_cannot_see_is_not_attached(people):
    private = factories.Dataset(owner_org=people["organization"]["id"],
                                private=True, name="depot-plans")

    outcome = write_in(people, people["reporter"]["email"],
                       f"[{private['name']}] Depot 3", "Where is depot 3?")

    assert outcome.code == 250
    issue = the_issue()
    assert (issue.dataset_id, issue.category) == (None, "data-request")
    # Its name stays in the title: nothing says the dataset exists.
    assert issue.title == "[depot-plans] Depot 3"


def test_a_dataset_of_another_organization_is_not_attached(people):
    other = factories.Dataset(owner_org=factories.Organization()["id"],
                              name="hospital-beds")

    write_in(people, people["reporter"]["email"],
             f"[{other['name']}] Beds", "How many beds?")

    assert the_issue().dataset_id is None


def test_an_unknown_organization_is_refused_with_a_clear_message(
        people, mail):
    outcome = write_in(people, people["reporter"]["email"], "Hello",
                       "Anyone there?",
                       recipient=f"helpdesk+org-no-such-office@{DOMAIN}")

    assert (outcome.code, outcome.exit_code) == (550, 67)
    assert outcome.smtp_reply() == (
        "550 5.1.1 There is no organization \"no-such-office\" on "
        "Helpdesk Test Portal: check the address.")
    assert model.Session.query(Issue).count() == 0
    assert [r.reason for r in model.Session.query(MailRefusal)] == [
        "unknown_organization"]
    send_written()
    assert mail.messages == []


def test_an_unknown_sender_is_refused_where_visitors_may_not_report(
        people, mail):
    outcome = write_in(people, "stranger@example.net", "Hello", "Data?")

    assert (outcome.code, outcome.exit_code) == (550, 77)
    assert model.Session.query(Issue).count() == 0
    send_written()
    assert mail.messages == []


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", True)
def test_an_unknown_sender_reports_anonymously_and_confirms_the_address(
        people, mail):
    outcome = write_in(people, "Sam Stranger <sam@example.net>",
                       "Parking data", "Is there parking data?")

    assert outcome.code == 250
    issue = the_issue()
    assert (issue.reporter_id, issue.reporter_name, issue.reporter_email) == (
        None, "Sam Stranger", "sam@example.net")
    send_written()
    # The address gets the confirmation of the address, as from the form.
    confirmation = delivered(mail, 3)["sam@example.net"]
    assert "/helpdesk/confirm/" in text_of(confirmation)


def test_the_same_write_in_delivered_twice_opens_one_issue(people):
    recipient = org_address(people)
    raw = compose(people["reporter"]["email"], recipient, "Night buses",
                  "GTFS please").as_bytes()

    assert receive.receive(raw, recipient).code == 250
    assert receive.receive(raw, recipient).text == "Already received."
    assert model.Session.query(Issue).count() == 1


def test_the_organizations_admins_find_its_address_on_its_settings_page(
        people, app):
    token = factories.APIToken(user=people["admin"]["name"])["token"]

    page = app.get(f"/organization/{people['organization']['name']}"
                   "/helpdesk/settings", headers={"Authorization": token})

    assert page.status_code == 200
    assert org_address(people) in page.body
