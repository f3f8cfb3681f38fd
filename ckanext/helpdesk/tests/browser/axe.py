"""axe-core, the accessibility engine, run inside the page under test.

Pinned: npm's axe-core 4.14.1, installed into .work/node_modules (by
`npm install --prefix .work axe-core@4.14.1`, done here when missing).
"""
import subprocess

from ckanext.helpdesk.tests.conftest import ROOT

AXE_VERSION = "4.14.1"
AXE_JS = ROOT / ".work" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
# CKAN 2.12's own markup that axe flags on CKAN's own pages as on ours (an
# aria-label leaving out the visible text: label-content-name-mismatch):
# the header's profile link and a dataset's resource links. Not the help
# desk's to change; everything else on a page is checked.
CKAN_OWN = [".account-masthead a.image[aria-label]",
            ".resource-item > a.heading[aria-label]"]


def _ensure_axe():
    if f"axe v{AXE_VERSION}" not in (AXE_JS.read_text()[:200]
                                     if AXE_JS.exists() else ""):
        subprocess.run(["npm", "install", "--prefix", str(ROOT / ".work"),
                        "--no-save", "--no-package-lock",
                        f"axe-core@{AXE_VERSION}"], check=True,
                       capture_output=True)
    return AXE_JS


def serious_violations(page):
    """axe's serious and critical violations of the page (WCAG 2.1 AA):
    [(rule id, help, the offending elements' selectors)]."""
    page.add_script_tag(path=str(_ensure_axe()))
    violations = page.evaluate("""(ckanOwn) => axe.run(
        {exclude: ckanOwn.map(selector => [selector])}, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a',
                                        'wcag21aa', 'best-practice']},
        resultTypes: ['violations']}).then(r => r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' '))})))""", CKAN_OWN)
    return [(v["id"], v["help"], v["nodes"]) for v in violations
            if v["impact"] in SERIOUS]
