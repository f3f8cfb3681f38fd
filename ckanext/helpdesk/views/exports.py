"""CSV and JSON exports of the issue lists (a dataset's, an
organization's, and the portal's), with the same filters and visibility as
the pages, streamed as they are read (see logic/export.py). Filters are
checked before the first byte: a bad one is a 400 naming it."""
from __future__ import annotations

from typing import Any, Callable

import flask
from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckan.types import Response

from ckanext.helpdesk.logic import export
from ckanext.helpdesk.views.common import http_errors, search_filters, \
    visible_dataset, visible_organization
from ckanext.helpdesk.views.dashboard import portal_filters, sign_in_first

exports = Blueprint("helpdesk_exports", __name__)


def _routes(
    path: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Route `path`.csv and `path`.json to the view, as `format`."""
    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        for format in export.FORMATS:
            exports.add_url_rule(f"{path}.{format}", view_func=view,
                                 endpoint=view.__name__,
                                 defaults={"format": format})
        return view
    return register


@_routes("/dataset/<id>/issues")
@http_errors
def dataset(id: str, format: str) -> Response:
    pkg = visible_dataset(id)
    filters = search_filters(tk.request.args, ("status", "category", "q"))
    return _export(format, f"{pkg['name']}-issues",
                   dict(filters, dataset_id=pkg["id"]))


@_routes("/organization/<id>/issues")
@http_errors
def organization(id: str, format: str) -> Response:
    org = visible_organization(id)
    return _export(format, f"{org['name']}-issues",
                   dict(search_filters(tk.request.args),
                        organization_id=org["id"]))


@_routes("/issues")
@http_errors
def portal(format: str) -> Response:
    filters = portal_filters()
    if filters is None:
        return sign_in_first()
    return _export(format, "issues",
                   dict(search_filters(tk.request.args), **filters))


def _export(format: str, name: str, filters: dict[str, Any]) -> Response:
    # Built (access checked, filters validated) before answering; only the
    # rows are read as the answer goes out.
    statement = export.export_statement({}, filters)
    chunks = export.CHUNKS[format](statement)
    response = flask.Response(flask.stream_with_context(chunks),
                              content_type=export.FORMATS[format])
    disposition = "attachment" if format == "csv" else "inline"
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="{name}.{format}"')
    return response
