"""Atom feeds of the issue lists (a dataset's, an organization's, and the
portal's), with the same filters as the pages and only what the reader may
see. The list pages name their feed in a <link rel="alternate"> (feed
readers find it from the page's address)."""
from __future__ import annotations

import datetime
from typing import Any

from feedgen.feed import FeedGenerator
from flask import Blueprint, make_response
from markupsafe import Markup

import ckan.plugins.toolkit as tk
from ckan.types import DataDict, Response

from ckanext.helpdesk.helpers import helpdesk_category_label, \
    helpdesk_issue_url, helpdesk_markdown, helpdesk_status_label
from ckanext.helpdesk.logic import text
from ckanext.helpdesk.views.common import call, http_errors, \
    search_filters, visible_dataset, visible_organization

feeds = Blueprint("helpdesk_feeds", __name__)

FEED_SIZE = 50


@feeds.route("/dataset/<id>/issues.atom")
@http_errors
def dataset(id: str) -> Response:
    pkg = visible_dataset(id)
    return _atom(tk._("Issues of {dataset}").format(dataset=pkg["title"]),
                 tk.h.url_for("helpdesk.dataset_issues", id=pkg["name"],
                              _external=True),
                 dict(search_filters(tk.request.args,
                                     ("status", "category", "q")),
                      dataset_id=pkg["id"]))


@feeds.route("/organization/<id>/issues.atom")
@http_errors
def organization(id: str) -> Response:
    org = visible_organization(id)
    return _atom(tk._("Issues of {organization}").format(
        organization=org["display_name"]),
        tk.h.url_for("helpdesk_queue.organization", id=org["name"],
                     _external=True),
        dict(search_filters(tk.request.args), organization_id=org["id"]))


@feeds.route("/issues.atom")
@http_errors
def portal() -> Response:
    return _atom(tk._("Issues of {site}").format(site=tk.config.get(
        "ckan.site_title")),
        tk.h.url_for("helpdesk_queue.portal", _external=True),
        search_filters(tk.request.args))


def _atom(title: str, page_url: str, filters: dict[str, Any]) -> Response:
    filters.setdefault("sort", "updated")
    # A feed shows no count: the page alone, without counting every match.
    issues = call("helpdesk_issue_search", limit=FEED_SIZE, facets=False,
                  **filters)["results"]
    feed = FeedGenerator()
    feed.id(page_url)
    feed.title(_xml(title))
    feed.link(href=page_url, rel="alternate")
    feed.link(href=tk.request.url, rel="self")
    feed.updated(max((issue["updated"] for issue in issues),
                     default=datetime.datetime.now(
                         datetime.timezone.utc).isoformat()))
    for issue in issues:
        _add_entry(feed, issue)
    response = make_response(feed.atom_str(pretty=True))
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response


def _add_entry(feed: FeedGenerator, issue: DataDict) -> None:
    """One issue, titled with its dataset's name (its organization's for
    a data request) as the lists read in a feed reader mix datasets; the
    summary is the description's Markdown rendered and sanitised as the
    issue page shows it (feedgen escapes it into the XML)."""
    url = helpdesk_issue_url(issue, _external=True)
    place = issue["dataset_name"] or issue["organization_name"]
    entry = feed.add_entry(order="append")
    entry.id(url)
    entry.link(href=url)
    entry.title(_xml(f"{place}#{issue['number']} {issue['title']}"))
    entry.published(issue["created"])
    entry.updated(issue["updated"])
    entry.author(name=_xml(issue["reporter_display_name"]
                           or tk._("A visitor")))
    entry.category(term=issue["category"],
                   label=helpdesk_category_label(issue["category"]))
    status = Markup("<p><strong>{status}</strong></p>").format(
        status=helpdesk_status_label(issue["status"]))
    entry.summary(_xml(status + helpdesk_markdown(issue["description"])),
                  type="html")


def _xml(value: str) -> str:
    """What XML can carry of a text: texts stored before control
    characters were refused may hold some (shown as U+FFFD)."""
    return text.UNFIT_MULTILINE.sub("\ufffd", value)
