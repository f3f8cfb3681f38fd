"""The forms visitors post without an account refuse bots: a filled
honeypot, a form posted faster than a person types, a missing reCAPTCHA
answer; each gets the form back with a neutral error and nothing created.
reCAPTCHA's server cannot be reached from the tests: they prove the widget
is rendered when CKAN's keys are set and that an answer which cannot be
verified is refused (the check fails closed)."""
import re
import time

import itsdangerous
import pytest

import ckan.model as model

from ckanext.helpdesk import spam
from ckanext.helpdesk.model import Comment, Issue
from ckanext.helpdesk.tests import factories

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous",
                                      True)]

REPORT = {"category": "data-problem", "title": "Totals do not add up",
          "description": "Typed by hand, kept on refusal.",
          "reporter_name": "Ada", "reporter_email": "ada@example.org"}
NEUTRAL = "Your message could not be sent."
STARTED = re.compile(r'name="form_started" value="([^"]+)"')


def _form_url(portal):
    return f"/dataset/{portal['dataset']['name']}/issues/new"


def _started(page):
    return STARTED.search(page).group(1)


def _issues():
    return model.Session.query(Issue).count()


def _assert_refused(response, typed):
    assert response.status_code == 400
    assert NEUTRAL in response.body
    assert typed in response.body


def test_report_filling_the_honeypot_is_refused_and_keeps_the_typed_text(
        visitor, make_visitor, portal):
    form = visitor.get(_form_url(portal)).body
    assert 'name="website"' in form and 'class="helpdesk-trap"' in form

    refused = visitor.post(_form_url(portal), dict(
        REPORT, website="http://cheap-pills.example",
        form_started=_started(form)))

    _assert_refused(refused, "Typed by hand, kept on refusal.")
    assert _issues() == 0
    # People with an account are not asked to prove they are people.
    member = make_visitor().sign_in(portal["reporter"])
    assert 'name="website"' not in member.get(_form_url(portal)).body


def _started_ago(seconds, monkeypatch):
    """A form_started token signed `seconds` ago, as the form shown then
    would carry: the signing clock is set back (itsdangerous's one hook for
    it) because really waiting a minute would make the test a minute long.
    The check that reads the token runs on the real clock."""
    signed_at = int(time.time()) - seconds
    with monkeypatch.context() as patch:
        patch.setattr(itsdangerous.TimestampSigner, "get_timestamp",
                      lambda signer: signed_at)
        return spam.started_token()


# A minute: no request of the tests, however loaded the machine, takes as
# long, so "too fast" never turns into "slow enough" by itself.
@pytest.mark.ckan_config("ckanext.helpdesk.spam.min_fill_time", 60)
def test_report_posted_faster_than_the_minimum_fill_time_is_refused(
        app, visitor, portal, monkeypatch):
    started = _started(visitor.get(_form_url(portal)).body)

    too_fast = visitor.post(_form_url(portal),
                            dict(REPORT, form_started=started))
    without_time = visitor.post(_form_url(portal), REPORT)
    forged = visitor.post(_form_url(portal),
                          dict(REPORT, form_started="1700000000.forged"))

    for refused in (too_fast, without_time, forged):
        _assert_refused(refused, "Typed by hand, kept on refusal.")
    assert _issues() == 0
    with app.flask_app.test_request_context():
        a_minute_ago = _started_ago(61, monkeypatch)
    sent = visitor.post(_form_url(portal),
                        dict(REPORT, form_started=a_minute_ago))
    assert "your report was sent" in sent.body
    assert _issues() == 1


@pytest.mark.ckan_config("ckanext.helpdesk.spam.min_fill_time", 60)
def test_data_request_and_comment_forms_refuse_bots_too(
        visitor, portal):
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])
    request_url = f"/organization/{portal['org']['name']}/issues/request"
    started = _started(visitor.get(request_url).body)

    refused_request = visitor.post(request_url, dict(
        REPORT, category="data-request", form_started=started))
    refused_comment = visitor.post(
        f"/helpdesk/issues/{issue['id']}/comment",
        {"body": "Buy cheap pills", "author_name": "Bot",
         "author_email": "bot@example.org", "website": "http://x.example",
         "form_started": started})

    _assert_refused(refused_request, "Typed by hand, kept on refusal.")
    _assert_refused(refused_comment, "Buy cheap pills")
    assert _issues() == 1
    assert model.Session.query(Comment).count() == 0


@pytest.mark.ckan_config("ckan.recaptcha.publickey", "site-key-for-tests")
@pytest.mark.ckan_config("ckan.recaptcha.privatekey", "secret-for-tests")
@pytest.mark.ckan_config("ckan.requests.timeout", 3)
def test_recaptcha_is_shown_when_configured_and_an_unverified_answer_is_refused(  # noqa: E501
        visitor, portal):
    form = visitor.get(_form_url(portal)).body
    assert 'class="g-recaptcha" data-sitekey="site-key-for-tests"' in form

    started = _started(form)
    missing = visitor.post(_form_url(portal),
                           dict(REPORT, form_started=started))
    unverifiable = visitor.post(_form_url(portal), dict(
        REPORT, form_started=started,
        **{"g-recaptcha-response": "not-a-real-answer"}))

    for refused in (missing, unverifiable):
        _assert_refused(refused, "Typed by hand, kept on refusal.")
    assert _issues() == 0
