"""Markdown renders to safe HTML: the preview (open to whoever may
report, no longer than a stored text) and the stored descriptions and
comments on every view of their page, even when written to make a
backtracking renderer crawl (python-markdown, CKAN's h.render_markdown,
took 46 s on 200 KB of nested emphasis). How long these texts take is
measured beside ordinary prose by bench/bench_markdown.py."""
import pytest

from ckanext.helpdesk import rendering
from ckanext.helpdesk.logic.schema import TEXT_LENGTH
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.views.conftest import issue_url

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

def _at_most(pattern):
    return (pattern * (TEXT_LENGTH // len(pattern) + 1))[:TEXT_LENGTH]


# Inputs that take python-markdown from seconds to minutes at 20,000
# characters: emphasis openers, nested emphasis, unclosed links and
# images, brackets.
PATHOLOGICAL = {
    "emphasis openers": _at_most("* a "),
    "nested emphasis": _at_most("*a **b "),
    "unclosed links": _at_most("[a]("),
    "unclosed images": _at_most("!["),
    "brackets": _at_most("["),
    "alternating emphasis": _at_most("*_"),
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_markdown_at_the_maximum_length_renders_to_safe_html(
        app, name):
    with app.flask_app.test_request_context():
        html = rendering.render(PATHOLOGICAL[name])
    assert html and "<script" not in html


def test_pathological_description_and_comment_show_on_the_issue_page(
        visitor, portal):
    # Texts of their own, so no earlier test has rendered them already.
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"],
                            description="D" + PATHOLOGICAL[
                                "emphasis openers"][1:])
    call_as(portal["reporter"], "helpdesk_comment_create",
            issue_id=issue["id"],
            body="C" + PATHOLOGICAL["unclosed links"][1:])

    for _view in range(2):  # the first view renders, the next one too
        response = visitor.get(issue_url(issue))
        assert response.status_code == 200
        assert "Ca]([a]([a](" in response.body


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", "true")
def test_preview_of_pathological_markdown_at_the_maximum_is_shown(visitor):
    response = visitor.post(
        "/helpdesk/preview",
        {"text": "P" + PATHOLOGICAL["unclosed images"][1:]})

    assert response.status_code == 200
    assert "<p>P[![![![" in response.body


@pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous", "true")
def test_preview_longer_than_a_description_may_be_is_refused_naming_text(
        visitor):
    response = visitor.post("/helpdesk/preview", {"text": "*a **" * 40_000})

    assert response.status_code == 400
    assert "text: Must be at most 20000 characters long" in response.body


def test_preview_is_only_for_those_who_may_report(visitor, portal):
    """Anonymous reports are off (test.ini): a visitor may not report,
    so may not preview; a signed-in user may."""
    assert visitor.post("/helpdesk/preview",
                        {"text": "**x**"}).status_code == 403

    visitor.sign_in(portal["reporter"])
    response = visitor.post("/helpdesk/preview", {"text": "**x**"})
    assert response.status_code == 200
    assert "<strong>x</strong>" in response.body


def test_rendered_links_are_nofollow_and_raw_html_is_shown_as_text(
        visitor, portal):
    visitor.sign_in(portal["reporter"])

    response = visitor.post("/helpdesk/preview", {
        "text": "[site](https://example.org) and https://example.com "
                "<b onclick=x>raw</b> [js](javascript:alert(1))"})
    body = response.body

    assert response.status_code == 200, body[:3000]
    assert '<a href="https://example.org" rel="nofollow">site</a>' in body
    assert 'href="https://example.com"' in body
    assert body.count('rel="nofollow"') == 2
    assert "&lt;b onclick=x&gt;raw&lt;/b&gt;" in body
    assert 'href="javascript' not in body
