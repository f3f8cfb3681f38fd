"""The statistics pages: portal-wide /issues/stats and an organization's
/organization/<name>/issues/stats (figures from helpdesk_stats, so only
what the viewer may see).

Charts are SVG drawn on the server, from the geometry worked out here and
drawn by templates/helpdesk/stats_chart.html: no JavaScript and no network
resource (nothing to fetch, nothing to vendor and keep up to date, the same
page on CKAN 2.10 and 2.11, readable with scripts off). A charting library
(Chart.js through webassets) would draw on a canvas only after its script
ran, and pygal's SVG asks for a tooltip script from a CDN unless told not
to; a few bars and their axis need neither. Each chart is an image with a
text alternative, and its figures are in a data table beside it (in a
disclosure for the long weekly one) for screen readers and for anyone who
wants the numbers.
"""
from __future__ import annotations

import datetime
from typing import Any

from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckan.types import DataDict

from ckanext.helpdesk import cache
from ckanext.helpdesk.helpers import helpdesk_categories
from ckanext.helpdesk.logic.stats import AGES, WEEKS
from ckanext.helpdesk.views.common import call, http_errors, \
    visible_organization

stats = Blueprint("helpdesk_stats", __name__)

# Query string parameters passed on to helpdesk_stats (which validates
# them: a bad one is a 400 naming it).
PARAMETERS = ("window", "sort")
# The weekly chart's drawing, in SVG user units (it scales to the page).
BAR, GAP, LEFT, TOP, PLOT_HEIGHT, BOTTOM = 9, 2, 36, 10, 150, 24
# How many series colours helpdesk.css defines (.helpdesk-series-N).
COLOURS = 6


@stats.route("/issues/stats")
@http_errors
def portal() -> str:
    figures = _figures()
    return tk.render("helpdesk/stats.html",
                     _page(figures, "helpdesk_stats.portal", {}))


@stats.route("/organization/<id>/issues/stats")
@http_errors
def organization(id: str) -> str:
    org = visible_organization(id)
    figures = _figures(org["id"])
    return tk.render("helpdesk/stats_organization.html", dict(
        _page(figures, "helpdesk_stats.organization", {"id": org["name"]}),
        group_dict=org, group_type=org["type"]))


def _parameters() -> dict[str, str]:
    return {key: tk.request.args[key] for key in PARAMETERS
            if key in tk.request.args}


def _figures(organization_id: str | None = None) -> DataDict:
    """helpdesk_stats of the page; for visitors who are not signed in,
    kept in Redis for ckanext.helpdesk.stats_cache seconds: on a large
    portal the figures take seconds to compute, and a public page must
    not let every visitor start that again."""
    parameters = _parameters()
    if organization_id:
        parameters["organization_id"] = organization_id
    key = ":".join(f"{name}={parameters.get(name, '')}"
                   for name in ("organization_id", *PARAMETERS))
    return cache.kept_for_visitors(
        "stats", key, lambda: call("helpdesk_stats", **parameters),
        tk.config.get("ckanext.helpdesk.stats_cache"))


def _page(figures: DataDict, endpoint: str,
          url_args: dict[str, str]) -> dict[str, Any]:
    categories = _categories(figures)
    weeks = _weeks(figures)
    return {
        "figures": figures, "endpoint": endpoint, "url_args": url_args,
        "categories": categories, "ages": [key for key, _days in AGES]
        + ["older"],
        "opened_chart": _weekly_chart(weeks, categories, "opened"),
        "closed_chart": _weekly_chart(weeks, categories, "closed"),
        "weekly_table": _weekly_table(figures, categories),
    }


def _categories(figures: DataDict) -> list[dict[str, Any]]:
    """[{code, name, colour}]: the configured categories, then any code
    the figures hold that is no longer configured."""
    names = {category["code"]: category["name"]
             for category in helpdesk_categories()}
    codes = list(names) + sorted(
        {row["category"] for row in figures["weekly"]} - set(names))
    return [{"code": code, "name": names.get(code, code),
             "colour": index % COLOURS} for index, code in enumerate(codes)]


def _weeks(figures: DataDict) -> dict[str, dict[str, dict[str, int]]]:
    """{monday: {category: {"opened", "closed"}}} of the WEEKS weeks up to
    the current one, empty weeks included, oldest first."""
    now = datetime.datetime.fromisoformat(figures["now"]).date()
    current = now - datetime.timedelta(days=now.weekday())
    weeks: dict[str, dict[str, dict[str, int]]] = {
        (current - datetime.timedelta(weeks=back)).isoformat(): {}
        for back in range(WEEKS - 1, -1, -1)}
    for row in figures["weekly"]:
        counts = weeks.get(row["week"], {}).setdefault(
            row["category"], {"opened": 0, "closed": 0})
        counts["opened"] += row["opened"]
        counts["closed"] += row["closed"]
    return weeks


def _scale_top(largest: int) -> int:
    """A round axis top at or above `largest`: 1, 2 or 5 times a power
    of ten."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= largest:
                return step * magnitude
        magnitude *= 10


def _weekly_chart(weeks: dict[str, dict[str, dict[str, int]]],
                  categories: list[dict[str, Any]],
                  key: str) -> dict[str, Any]:
    """The geometry of a stacked bar chart of `key` per week by category:
    {"width", "height", "bars", "ticks", "labels", "total"}."""
    totals = [sum(counts.get(category["code"], {}).get(key, 0)
                  for category in categories) for counts in weeks.values()]
    top = _scale_top(max(totals, default=0) or 1)
    scale = PLOT_HEIGHT / top
    bars, labels = [], []
    for index, (week, counts) in enumerate(weeks.items()):
        x = LEFT + index * (BAR + GAP)
        y: float = TOP + PLOT_HEIGHT
        for category in categories:
            value = counts.get(category["code"], {}).get(key, 0)
            if value:
                height = value * scale
                y -= height
                bars.append({"x": x, "y": round(y, 2), "width": BAR,
                             "height": round(height, 2),
                             "colour": category["colour"],
                             "title": f"{week} {category['name']}: {value}"})
        if index % 13 == 0:  # a label a quarter
            labels.append({"x": x, "text": week})
    return {"width": LEFT + len(weeks) * (BAR + GAP),
            "height": TOP + PLOT_HEIGHT + BOTTOM,
            "baseline": TOP + PLOT_HEIGHT, "bars": bars, "labels": labels,
            "ticks": [{"y": TOP + PLOT_HEIGHT - value * scale,
                       "text": value}
                      for value in sorted({0, top // 2, top})],
            "total": sum(totals), "left": LEFT}


def _weekly_table(
    figures: DataDict, categories: list[dict[str, Any]]
) -> list[tuple[str, str, int, int]]:
    """[(week, category name, opened, closed)] of the weeks with any
    activity, summed over organizations, oldest first."""
    names = {category["code"]: category["name"] for category in categories}
    summed: dict[tuple[str, str], list[int]] = {}
    for row in figures["weekly"]:
        counts = summed.setdefault((row["week"], row["category"]), [0, 0])
        counts[0] += row["opened"]
        counts[1] += row["closed"]
    return [(week, names.get(code, code), opened, closed)
            for (week, code), (opened, closed) in sorted(summed.items())]
