"""The help desk's pages in Spanish and French (the /es/ and /fr/ URL
prefix CKAN offers): no English text of our catalogue is left on them,
so every string they show is wrapped, extracted and translated."""
import pytest

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.i18n.catalogues import english_left, \
    readable_text
from ckanext.helpdesk.tests.views.conftest import Visitor, make_user

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

# Page: (who reads it, method, path, form). Text typed by people is in no
# language, so only the help desk's own words can be English.
PAGES = {
    "dataset issues": ("visitor", "GET", "/dataset/{dataset}/issues", None),
    "issue": ("editor", "GET", "/dataset/{dataset}/issues/1", None),
    "report form with an error": (
        "reporter", "POST", "/dataset/{dataset}/issues/new",
        {"category": "data-problem", "title": "", "description": ""}),
    "organization queue": ("editor", "GET", "/organization/{org}/issues",
                           None),
    "dashboard": ("reporter", "GET", "/dashboard/issues", None),
    "statistics": ("visitor", "GET", "/issues/stats", None),
    "settings": ("admin", "GET", "/organization/{org}/helpdesk/settings",
                 None),
    "moderation": ("admin", "GET", "/dashboard/helpdesk/reports", None),
}


@pytest.fixture
def help_desk():
    """An organization (admin, editor) whose dataset has an issue the
    editor answered and acknowledged, and a comment reported to the
    moderators."""
    admin, editor, reporter = make_user(), make_user(), make_user()
    org = factories.Organization(users=[
        {"name": admin["name"], "capacity": "admin"},
        {"name": editor["name"], "capacity": "editor"}])
    dataset = factories.Dataset(owner_org=org["id"], resources=[
        {"url": "http://x.test/z.csv", "name": "z.csv"}])
    issue = factories.Issue(user=reporter, dataset_id=dataset["id"],
                            title="Zx-42", description="Zx 42 zz.")
    call_as(reporter, "helpdesk_issue_vote", id=issue["id"])
    comment = call_as(editor, "helpdesk_comment_create", issue_id=issue["id"],
                      body="Zq 7.")
    call_as(editor, "helpdesk_issue_update", id=issue["id"],
            status="acknowledged")
    call_as(reporter, "helpdesk_abuse_report_create", issue_id=issue["id"],
            comment_id=comment["id"], reason="Zx zz.")
    return {"admin": admin, "editor": editor, "reporter": reporter,
            "org": org, "dataset": dataset}


@pytest.mark.parametrize("language", ["es", "fr"])
@pytest.mark.parametrize("page", PAGES)
def test_the_page_shows_no_english_text_of_ours(page, language, help_desk,
                                                app):
    who, method, path, form = PAGES[page]
    visitor = Visitor(app)
    if who != "visitor":
        visitor.sign_in(help_desk[who])
    url = f"/{language}" + path.format(dataset=help_desk["dataset"]["name"],
                                       org=help_desk["org"]["name"])

    response = (visitor.get(url) if method == "GET"
                else visitor.post(url, form))

    assert response.status_code in (200, 400), response.body
    assert f'lang="{language}"' in response.body
    assert english_left(readable_text(response.body), language) == []
