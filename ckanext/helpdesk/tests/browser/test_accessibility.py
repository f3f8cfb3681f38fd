"""axe-core finds no serious or critical accessibility violation on any
help desk page, on a desktop and on a phone."""
import pytest

from ckanext.helpdesk.tests.browser.axe import serious_violations
from ckanext.helpdesk.tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.mark.parametrize("screen", [DESKTOP, PHONE],
                         ids=["desktop", "phone"])
def test_no_serious_accessibility_violations_on_any_help_desk_page(
        live_server, page, sign_in, every_page, screen):
    admin, paths = every_page
    page.set_viewport_size(screen)
    sign_in(live_server, admin)  # the fullest pages
    found = {}
    for path in paths:
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")  # htmx fragments too
        violations = serious_violations(page)
        if violations:
            found[path] = violations
    assert found == {}
