"""The help desk's emails in the portal's language (ckan.locale_default of
the worker that sends them): subject and bodies, as the SMTP server
receives them, hold no English text of our catalogue."""
import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.i18n.catalogues import catalogue, english_left, \
    readable_text
from ckanext.helpdesk.tests.notify.conftest import delivered, subject_of, \
    text_of

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.mark.parametrize("language", ["es", "fr"])
def test_a_new_issue_is_emailed_in_the_portals_language(language, mail,
                                                        run_jobs_with):
    admin, reporter = factories.User(), factories.User()
    org = factories.Organization(users=[
        {"name": admin["name"], "capacity": "admin"}])
    dataset = factories.Dataset(owner_org=org["id"], title="Zx")
    call_as(reporter, "helpdesk_issue_create", dataset_id=dataset["id"],
            category="data-problem", title="Zx-42", description="Zx 42 zz.")

    run_jobs_with(ckan__locale_default=language)

    emails = delivered(mail, 2)  # the admin's, the reporter's receipt
    subject = catalogue(language).get(
        "[{site}] New issue #{number} on {place}: {title}").string
    assert subject_of(emails[admin["email"]]).startswith(
        subject.split("{number}")[0].format(site=tk.config[
            "ckan.site_title"]))
    for message in emails.values():
        html = message.get_body(("html",)).get_content()
        text = " ".join([subject_of(message), text_of(message),
                         readable_text(html)])
        assert english_left(text, language) == [], text
