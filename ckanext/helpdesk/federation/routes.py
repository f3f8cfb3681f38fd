"""Where an issue goes: the routes that apply to it.

- an organization's own Open311 routes, set by its admins on its help desk
  settings page (helpdesk_forward_route: each maps our categories to the
  endpoint's service codes; a category without one does not go there);
- the operator's routes, ckanext.helpdesk.forward.routes
  ("organization-name=base-url" pairs; categories go as their own codes);
- for a public dataset harvested with ckanext-harvest's CKAN harvester,
  its source: the endpoint named in ckanext.helpdesk.forward.harvest_routes
  for that source, or else the source portal's help desk, found from its
  discovery.json when the forward is first sent.

A private dataset's issue goes only to its organization's own routes and
the operator's routes for it, never to a harvest source. Nothing goes to
the portal the issue came from (origin.py), nor to this portal itself.
Hidden issues (held for moderation) go when they are shown.
"""
from __future__ import annotations

import collections

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.federation import harvest, origin
from ckanext.helpdesk.model import ForwardRoute

Route = collections.namedtuple(
    "Route", "kind route_id name base_url api_key jurisdiction_id "
             "service_code remote_dataset")

URL_LENGTH = origin.URL_LENGTH
NAME_LENGTH = 100


def _pairs(option: str) -> dict[str, str]:
    """{left: right} of a list option of "left=right" items."""
    pairs = {}
    for item in tk.config.get(option) or []:
        left, sep, right = item.partition("=")
        if sep and left.strip() and right.strip():
            pairs[left.strip()] = right.strip()
    return pairs


def configured_api_key(base_url: str) -> str | None:
    for address, key in _pairs("ckanext.helpdesk.forward.api_keys").items():
        if address.rstrip("/") == base_url.rstrip("/"):
            return key
    return None


def own_open311_url() -> str:
    prefix = tk.config.get("ckanext.helpdesk.open311.prefix").strip("/")
    return tk.config.get("ckan.site_url").rstrip("/") + "/" + prefix


def organization_routes(organization_id: str) -> list[ForwardRoute]:
    return model.Session.execute(sa.select(ForwardRoute).where(
        ForwardRoute.organization_id == organization_id
    ).order_by(ForwardRoute.created)).scalars().all()


def routes_for(issue) -> list[Route]:
    """The routes the issue goes by, each endpoint once."""
    if issue.hidden or not tk.config["ckanext.helpdesk.forward.enabled"]:
        return []
    dataset = model.Package.get(issue.dataset_id) if issue.dataset_id \
        else None
    organization_id = (dataset.owner_org if dataset and dataset.owner_org
                       else issue.organization_id)
    remote_dataset = dataset.name if dataset else None
    found = [Route("route", route.id, route.name, route.base_url,
                   route.api_key, route.jurisdiction_id,
                   route.service_codes[issue.category], remote_dataset)
             for route in organization_routes(organization_id)
             if route.service_codes.get(issue.category)]
    found += _operator_routes(organization_id, issue, remote_dataset)
    public = dataset is not None and dataset.state == "active" \
        and not dataset.private
    if public and tk.config["ckanext.helpdesk.forward.harvest"]:
        found += _harvest_route(dataset, issue)
    return _allowed(issue, found)


def _operator_routes(organization_id, issue, remote_dataset):
    organization = model.Group.get(organization_id)
    base_url = organization and _pairs(
        "ckanext.helpdesk.forward.routes").get(organization.name)
    if not base_url:
        return []
    return [Route("config", None, _host(base_url), base_url,
                  configured_api_key(base_url), None, issue.category,
                  remote_dataset)]


def _harvest_route(dataset, issue):
    source = harvest.source_of(dataset.id)
    if source is None:
        return []
    configured = _pairs("ckanext.helpdesk.forward.harvest_routes").get(
        source.name or "")
    # Without a configured endpoint, the source portal's URL stands in
    # until the job finds its Open311 endpoint (forwarding.py).
    base_url = configured or source.url
    return [Route("harvest", None, source.title or _host(source.url),
                  base_url, configured_api_key(base_url), None,
                  issue.category, source.remote_dataset)]


def _allowed(issue, found):
    came_from = origin.origin_of(issue.id)
    own = own_open311_url()
    chosen, seen = [], set()
    for route in found:
        if origin.same_portal(route.base_url, own) or (
                came_from and origin.same_portal(route.base_url, came_from)):
            continue
        key = origin.normalized(route.base_url)
        if key not in seen:
            seen.add(key)
            chosen.append(route)
    return chosen


def _host(address: str) -> str:
    return origin.normalized(address)[0].split("://", 1)[-1].rsplit(
        ":", 1)[0]
