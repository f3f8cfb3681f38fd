"""An XSS corpus, submitted as title, description, comment and reporter
name, renders inert on every page that shows it: the browser runs no
script of it (no dialog, window.__xss never set, no live handler or
javascript: link carrying it)."""
import pytest

from ckan.tests import factories

from ckanext.helpdesk.tests.browser.conftest import PASSWORD
from ckanext.helpdesk.tests.helpers import call_as

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckanext.helpdesk.allow_anonymous",
                                      "true")]

CORPUS = [
    "<script>window.__xss=1;alert(1)</script>",
    '"><script>window.__xss=1</script>',
    "<img src=x onerror=\"window.__xss=1;alert(1)\">",
    "<svg onload=\"window.__xss=1\"></svg>",
    "<details open ontoggle=\"window.__xss=1\">x</details>",
    "<a href=\"javascript:window.__xss=1\">click</a>",
    "[click](javascript:window.__xss=1)",
    "[click](JaVaScRiPt:window.__xss=1)",
    "[click](javascript&#58;window.__xss=1)",
    "![x](x\" onerror=\"window.__xss=1)",
    "[x](\" onmouseover=\"window.__xss=1)",
    "<iframe src=\"javascript:window.__xss=1\"></iframe>",
    "<a href=\"data:text/html,<script>window.__xss=1</script>\">d</a>",
    "{{ 7*7 }}<style>body{display:none}</style>",
]
PAYLOAD = "\n\n".join(CORPUS)

# Anything left alive: handlers and links carrying the payload, or its
# effect.
FIND_LIVE_PAYLOAD = """() => {
  const live = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const value = attr.value.toLowerCase();
      const isUrl = ['href', 'src', 'action', 'formaction'].includes(
        attr.name) && /^\\s*(javascript|data|vbscript):/.test(value);
      if (value.includes('__xss') && (attr.name.startsWith('on') || isUrl)) {
        live.push(el.outerHTML.slice(0, 120));
      }
    }
  }
  if (window.__xss !== undefined) live.push('window.__xss was set');
  return live;
}"""


@pytest.fixture
def poisoned(portal):
    """Payloads everywhere a person can type: an anonymous reporter's name
    and email, the title and description, a comment, an abuse report."""
    dataset = portal["dataset"]
    anonymous_issue = call_as(None, "helpdesk_issue_create",
                              dataset_id=dataset["id"], category="question",
                              title=CORPUS[0], description=PAYLOAD,
                              reporter_name=CORPUS[2],
                              reporter_email="x@example.org")
    issues = [anonymous_issue] + [
        call_as(portal["visitor"], "helpdesk_issue_create",
                dataset_id=dataset["id"], category="data-problem",
                title=title, description=PAYLOAD) for title in CORPUS[1:6]]
    call_as(portal["visitor"], "helpdesk_comment_create",
            issue_id=anonymous_issue["id"], body=PAYLOAD)
    comment = call_as(None, "helpdesk_comment_create",
                      issue_id=anonymous_issue["id"], body=PAYLOAD,
                      author_name=CORPUS[3], author_email="y@example.org")
    call_as(portal["visitor"], "helpdesk_abuse_report_create",
            issue_id=anonymous_issue["id"], reason=PAYLOAD)
    call_as(portal["visitor"], "helpdesk_abuse_report_create",
            issue_id=anonymous_issue["id"], comment_id=comment["id"],
            reason=CORPUS[4])
    return issues


def _pages(portal, issue):
    dataset, org = portal["dataset"]["name"], portal["org"]["name"]
    return [f"/dataset/{dataset}", f"/dataset/{dataset}/issues",
            f"/dataset/{dataset}/issues/{issue['number']}",
            f"/helpdesk/issues/{issue['id']}/reported",
            "/issues", f"/organization/{org}/issues", "/dashboard/issues",
            "/ckan-admin/helpdesk/reports"]


def test_xss_corpus_renders_inert_everywhere(live_server, page, sign_in,
                                             portal, poisoned):
    sysadmin = factories.Sysadmin(password=PASSWORD)
    call_as(sysadmin, "organization_member_create", id=portal["org"]["id"],
            username=sysadmin["name"], role="editor")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message),
                                      dialog.dismiss()))
    sign_in(live_server, sysadmin)  # sees every page, moderation included

    for path in _pages(portal, poisoned[0]):
        response = page.goto(live_server + path, wait_until="networkidle")
        assert response.status == 200, path
        page.hover("body")
        assert "window.__xss" in page.content() or "__xss" in \
            page.inner_text("body"), f"the payload is not shown on {path}"
        assert page.evaluate(FIND_LIVE_PAYLOAD) == [], path
    assert dialogs == []
