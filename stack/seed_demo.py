"""Seed the demo portal: two organizations, a publisher (organization admin)
and a visitor per organization, a sysadmin, ten public and two private
datasets with resources, and help desk issues in every status.

    python stack/seed_demo.py demo.ini

Idempotent: what exists already is left as it is, so a second run (or a
restart of the demo) changes nothing and loses nothing.
"""
import sys

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.cli import load_config
from ckan.config.middleware import make_app

from ckanext.helpdesk.model import Issue

PASSWORD = "helpdesk-demo"
SYSADMIN = "admin"

ORGANIZATIONS = [
    {"name": "city-transport", "title": "City Transport Department",
     "publisher": "tara", "visitor": "victor",
     "description": "Buses, trams, cycling and the roads they share."},
    {"name": "public-health", "title": "Public Health Agency",
     "publisher": "hugo", "visitor": "vera",
     "description": "Air quality, vaccinations and hospital capacity."},
]

# (organization, name, title, private, resource formats)
DATASETS = [
    ("city-transport", "bus-stops", "Bus stops", False, ["CSV", "GeoJSON"]),
    ("city-transport", "bus-ridership-2024", "Bus ridership 2024", False,
     ["CSV"]),
    ("city-transport", "cycle-counts", "Cycle counter readings", False,
     ["CSV", "JSON"]),
    ("city-transport", "road-works", "Planned road works", False, ["CSV"]),
    ("city-transport", "parking-meters", "Parking meters and tariffs", False,
     ["XLSX"]),
    ("city-transport", "fleet-maintenance", "Bus fleet maintenance log",
     True, ["CSV"]),
    ("public-health", "air-quality-hourly", "Hourly air quality", False,
     ["CSV", "JSON"]),
    ("public-health", "vaccination-coverage", "Vaccination coverage by area",
     False, ["CSV"]),
    ("public-health", "hospital-beds", "Hospital bed capacity", False,
     ["CSV"]),
    ("public-health", "restaurant-inspections", "Restaurant inspections",
     False, ["CSV", "PDF"]),
    ("public-health", "water-quality", "Drinking water quality", False,
     ["CSV"]),
    ("public-health", "outbreak-investigations",
     "Outbreak investigations (internal)", True, ["CSV"]),
]


def act(action, user, **data):
    context = {"user": user, "ignore_auth": True}
    return tk.get_action(action)(context, data)


def ensure_user(name, sysadmin=False):
    user = model.User.get(name)
    if user is None:
        act("user_create", None, name=name, email=f"{name}@example.org",
            password=PASSWORD,
            fullname=name.capitalize())
        user = model.User.get(name)
    if sysadmin and not user.sysadmin:
        user.sysadmin = True
        model.repo.commit()


def ensure_organization(org):
    if model.Group.get(org["name"]) is None:
        act("organization_create", SYSADMIN, name=org["name"],
            title=org["title"], description=org["description"],
            users=[{"name": org["publisher"], "capacity": "admin"}])


def ensure_dataset(org, name, title, private, formats):
    if model.Package.get(name) is not None:
        return
    resources = [{
        "name": f"{title} ({fmt})", "format": fmt,
        "url": f"https://data.example.org/{name}.{fmt.lower()}",
    } for fmt in formats]
    act("package_create", SYSADMIN, name=name, title=title, owner_org=org,
        private=private, resources=resources,
        notes=f"{title}, published by the {org.replace('-', ' ')} team.",
        maintainer_email=f"data@{org}.example.org")


# (reporter, dataset or None for a data request to the organization,
#  category, title, description, the publisher's reply, final status)
ISSUES = [
    ("victor", "bus-stops", "data-problem", "Stop 1142 is on the wrong street",
     "The coordinates of stop **1142** put it on Elm Street; it is on Oak "
     "Street since the 2024 re-routing.", None, "new"),
    ("vera", "bus-ridership-2024", "data-problem", "December is missing",
     "The CSV stops on 30 November.", "Thanks, we are looking into it.",
     "acknowledged"),
    ("victor", "cycle-counts", "improvement", "Publish the counter locations",
     "A GeoJSON of the counters would let us map the readings.",
     "We are adding a locations file.", "in_progress"),
    ("vera", "road-works", "question", "What does status code P mean?",
     "Some rows have status `P`; the documentation lists A, C and X only.",
     "P means *planned*; the documentation is fixed now.", "resolved"),
    ("victor", "parking-meters", "improvement", "Hourly occupancy, please",
     "Occupancy per hour would help plan trips.",
     "The meters do not record occupancy, so we cannot publish it.",
     "wont_fix"),
    ("vera", "air-quality-hourly", "data-problem",
     "Negative PM2.5 values on 3 March",
     "Station 7 reports -4 µg/m³ between 02:00 and 05:00.", None, "new"),
    ("victor", "hospital-beds", "question", "Are ICU beds included?",
     "Is the capacity total including intensive care beds?", None, "new"),
    ("tara", "fleet-maintenance", "data-problem",
     "Maintenance log has duplicate rows",
     "Rows for bus 88 appear twice (private dataset: publishers only).",
     None, "acknowledged"),
    ("victor", None, "data-request", "Bicycle theft reports by district",
     "Could the department publish monthly bike theft counts?", None, "new"),
    ("vera", None, "data-request", "Pollen counts",
     "Daily pollen counts for the allergy season.", None, "new"),
]


def act_as(action, user, **data):
    """Call an action as a user, with that user's permissions."""
    return tk.get_action(action)({"user": user}, data)


def issue_exists(title):
    return model.Session.query(Issue).filter_by(title=title).count() > 0


def ensure_issues():
    publishers = {org["name"]: org["publisher"] for org in ORGANIZATIONS}
    for reporter, dataset, category, title, text, reply, status in ISSUES:
        if issue_exists(title):
            continue
        if dataset:
            target = {"dataset_id": dataset}
        else:
            target = {"organization_id": "city-transport" if "theft" in title
                      else "public-health"}
        issue = act_as("helpdesk_issue_create", reporter, category=category,
                       title=title, description=text, **target)
        org = issue["organization_name"]
        if status != "new":
            act_as("helpdesk_issue_update", publishers[org], id=issue["id"],
                   status=status, assignee=publishers[org],
                   **({"comment": reply} if reply else {}))
    if issue_exists("Stop 1142 misplaced"):
        return
    duplicate = act_as("helpdesk_issue_create", "vera", dataset_id="bus-stops",
                       category="data-problem", title="Stop 1142 misplaced",
                       description="Same as the report about Oak Street.")
    original = act_as("helpdesk_issue_show", "tara", dataset_id="bus-stops",
                      number=1)
    act_as("helpdesk_issue_update", "tara", id=duplicate["id"],
           status="duplicate", duplicate_of=original["id"])
    act_as("helpdesk_comment_create", "vera", issue_id=original["id"],
           body="I noticed the same at stop 1143.")
    act_as("helpdesk_issue_vote", "vera", id=original["id"])


def seed():
    ensure_user(SYSADMIN, sysadmin=True)
    for org in ORGANIZATIONS:
        ensure_user(org["publisher"])
        ensure_user(org["visitor"])
        ensure_organization(org)
    for dataset in DATASETS:
        ensure_dataset(*dataset)
    ensure_issues()


def print_logins(site_url):
    print(f"\nDemo portal: {site_url}   (password for every account: "
          f"{PASSWORD})")
    print(f"  {SYSADMIN:8} sysadmin")
    for org in ORGANIZATIONS:
        print(f"  {org['publisher']:8} publisher (admin of {org['title']})")
        print(f"  {org['visitor']:8} visitor")
    print()


def main(ini):
    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        seed()
        print_logins(tk.config["ckan.site_url"])


if __name__ == "__main__":
    main(sys.argv[1])
