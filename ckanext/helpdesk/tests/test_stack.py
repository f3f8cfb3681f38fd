"""The stack under every other test is the real one: Solr indexes, SMTP
delivers, the RQ worker runs jobs, the CI workflow is valid."""
import pathlib
import shutil
import subprocess

import pytest

import ckan.lib.jobs as jobs
import ckan.lib.mailer as mailer
import ckan.plugins.toolkit as tk
from ckan.tests import factories

ROOT = pathlib.Path(__file__).resolve().parents[3]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_dataset_created_through_the_api_is_found_by_solr(app):
    user = factories.Sysadmin()
    token = factories.APIToken(user=user["name"])["token"]
    org = factories.Organization(user=user)
    headers = {"Authorization": token}

    created = app.post("/api/3/action/package_create", headers=headers, json={
        "name": "river-levels", "title": "River levels of the Thames",
        "owner_org": org["id"]})
    assert created.json["success"], created.json

    found = app.get("/api/3/action/package_search",
                    query_string={"q": "Thames"}).json["result"]
    assert found["count"] == 1
    assert found["results"][0]["name"] == "river-levels"


def test_mailer_delivers_to_the_smtp_server(mail):
    mailer.mail_recipient("Ada Lovelace", "ada@example.org",
                          "Engine notes", "The analytical engine weaves.")

    [(recipients, message)] = mail.wait_for(1)
    assert recipients == ["ada@example.org"]
    assert message["Subject"] == "Engine notes"
    assert message["From"].addresses[0].addr_spec == \
        tk.config["smtp.mail_from"]
    assert "analytical engine" in message.get_body().get_content()


@pytest.mark.usefixtures("clean_redis")
def test_rq_worker_runs_enqueued_jobs(mail, run_jobs):
    jobs.enqueue(mailer.mail_recipient,
                 ["Grace Hopper", "grace@example.org", "Queued", "From RQ."])

    run_jobs()

    [(recipients, message)] = mail.wait_for(1)
    assert recipients == ["grace@example.org"]
    assert message["Subject"] == "Queued"


def test_github_workflow_passes_actionlint():
    actionlint = shutil.which("actionlint") or str(ROOT / ".work/bin/actionlint")
    workflow = ROOT / ".github/workflows/test.yml"
    done = subprocess.run([actionlint, str(workflow)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
