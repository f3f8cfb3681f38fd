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


def seed():
    ensure_user(SYSADMIN, sysadmin=True)
    for org in ORGANIZATIONS:
        ensure_user(org["publisher"])
        ensure_user(org["visitor"])
        ensure_organization(org)
    for dataset in DATASETS:
        ensure_dataset(*dataset)


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
