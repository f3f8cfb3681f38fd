"""The Open311 GeoReport v2 API: a blueprint at a configurable prefix
(default /open311/v2), a thin layer over the help desk's actions, so the
same permission rule applies as on the pages.

Every answer under the prefix is GeoReport JSON or XML, errors included:
routing failures (404, 405) are answered by a before-request hook, since
CKAN's own error handlers render HTML pages.
"""
import contextlib
import datetime
import functools
import logging
import re
import urllib.parse

import flask
import sqlalchemy as sa
from werkzeug.exceptions import (MethodNotAllowed, NotFound,
                                 RequestEntityTooLarge)
from werkzeug.routing import RequestRedirect

import ckan.model as model
import ckan.plugins.toolkit as tk
# No toolkit door for these two: exempting a blueprint from CSRF (API
# clients cannot fetch a CSRF token; writes here never trust the session
# cookie, see _token_user) and resolving an API token given as a parameter.
from ckan.config.middleware.flask_app import csrf
from ckan.lib import api_token

from ckanext.helpdesk import ratelimit, visibility
from ckanext.helpdesk.catalogue import N_
from ckanext.helpdesk.federation import origin
from ckanext.helpdesk.open311 import (errors, listing, mapping, openapi,
                                      render, tokens, updates)

log = logging.getLogger(__name__)

DEFAULT_FORMAT = "xml"  # the format the spec requires of every server
CORS_METHODS = ("GET", "HEAD", "OPTIONS")
BLUEPRINT = "helpdesk_open311"
GENERAL_ERROR = N_("General service error: the request could not be "
                   "processed")


def blueprints():
    """The Open311 blueprint, or none when the API is turned off."""
    if not tk.asbool(tk.config.get("ckanext.helpdesk.open311.enabled")):
        return []
    return [_blueprint(prefix())]


def prefix():
    return "/" + tk.config.get("ckanext.helpdesk.open311.prefix").strip("/")


def base_url():
    return tk.config.get("ckan.site_url").rstrip("/") + prefix()


def _blueprint(url_prefix):
    bp = flask.Blueprint(BLUEPRINT, __name__, url_prefix=url_prefix)
    for rule, view, methods in ROUTES:
        bp.add_url_rule(rule, view_func=view, methods=methods)
    bp.add_url_rule("/openapi.json", view_func=openapi_document)
    bp.before_app_request(_answer_unrouted)
    bp.after_app_request(_allow_cross_origin_reads)
    csrf.exempt(bp)
    return bp


# -- request plumbing ---------------------------------------------------------

def _under_prefix(path):
    base = prefix()
    return path == base or path.startswith(base + "/")


def _params():
    """Query and form parameters; an empty one counts as not given (the
    spec's "Optional Arguments")."""
    return {key: value for key, value in flask.request.values.items()
            if value != ""}


def _format_of_path(path):
    match = re.search(r"\.(\w+)$", path)
    return _known(match.group(1) if match else DEFAULT_FORMAT)


def _known(fmt):
    """The format to answer in: the one asked for, if we speak it."""
    return fmt if fmt in render.FORMATS else DEFAULT_FORMAT


def _respond(fmt, root, data, status=200, headers=None):
    return flask.Response(render.body(fmt, root, data), status=status,
                          headers=headers,
                          content_type=render.CONTENT_TYPES[fmt])


def _error_response(fmt, error):
    return _respond(fmt, "errors", error.as_list(), error.status,
                    error.headers)


def endpoint(xml_root):
    """Make a view answer GeoReport `fmt` (the path's extension): it
    returns the data; failures become the spec's error body."""
    def decorate(view):
        @functools.wraps(view)
        def answer(fmt=DEFAULT_FORMAT, **kwargs):
            try:
                if fmt not in render.FORMATS:
                    raise errors.bad_request(tk._(
                        "Unknown format '{0}': use .xml or .json").format(fmt))
                _check_no_key_in_url()
                _check_text(dict(_params(), **kwargs))
                _check_jurisdiction()
                return _respond(fmt, xml_root, view(**kwargs))
            except errors.Open311Error as error:
                return _error_response(_known(fmt), error)
            except RequestEntityTooLarge:  # werkzeug's form limits
                return _error_response(_known(fmt), errors.Open311Error(
                    413, tk._("The request is too large")))
            except Exception:  # the spec's "general service error" is 400
                log.exception("Open311 %s failed", flask.request.path)
                return _error_response(
                    _known(fmt), errors.bad_request(tk._(GENERAL_ERROR)))
        return answer
    return decorate


def _answer_unrouted():
    """Unknown paths and methods under the prefix answer in the spec's
    error format (not CKAN's HTML pages, nor its static files); doubled
    slashes (a base URL given with a trailing slash) are served as if
    single rather than redirected."""
    path = flask.request.path
    if not _under_prefix(path) or flask.request.blueprint == BLUEPRINT:
        return None
    single_slashed = re.sub("/{2,}", "/", path)
    if single_slashed != path:
        return _dispatch(single_slashed)
    return _error_response(_format_of_path(path), _routing_error(
        flask.request.routing_exception, path))


def _dispatch(path):
    adapter = flask.current_app.create_url_adapter(flask.request)
    try:
        rule, args = adapter.match(path, method=flask.request.method,
                                   return_rule=True)
    except (NotFound, MethodNotAllowed, RequestRedirect) as error:
        return _error_response(_format_of_path(path),
                               _routing_error(error, path))
    if not rule.endpoint.startswith(BLUEPRINT + "."):
        return _error_response(_format_of_path(path),
                               _routing_error(None, path))
    return flask.current_app.view_functions[rule.endpoint](**args)


def _routing_error(error, path):
    """405 for a known Open311 resource asked with a wrong method; 404 for
    anything else, whatever the method (CKAN's own GET-only routes, such
    as its static files, also match paths under the prefix)."""
    allowed = ", ".join(sorted(
        method for method in getattr(error, "valid_methods", None) or ()
        if _routes_to_open311(path, method)))
    if isinstance(error, MethodNotAllowed) and allowed:
        return errors.Open311Error(
            405, tk._("Method {0} not allowed here; use {1}").format(
                flask.request.method, allowed),
            headers={"Allow": allowed})
    return errors.not_found(tk._("No such Open311 resource: {0}").format(
        flask.request.path))


def _routes_to_open311(path, method):
    adapter = flask.current_app.create_url_adapter(flask.request)
    try:
        rule, _args = adapter.match(path, method=method, return_rule=True)
    except (NotFound, MethodNotAllowed, RequestRedirect):
        return False
    return rule.endpoint.startswith(BLUEPRINT + ".")


def _allow_cross_origin_reads(response):
    """Browser apps on any site may read what anyone may GET; writes never
    rely on cookies, so no credentials are involved."""
    if (flask.request.method in CORS_METHODS
            and _under_prefix(flask.request.path)):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = ", ".join(
            CORS_METHODS)
        response.headers["Access-Control-Allow-Headers"] = token_header()
    return response


def _check_text(values):
    """Refuse what XML cannot carry (control characters, NUL) in any
    parameter: such a report would not read back the same in both formats,
    and PostgreSQL refuses NUL."""
    unfit = sorted(name for name, value in values.items()
                   if render.NOT_XML_CHARS.search(value))
    if unfit:
        raise errors.bad_request(*(
            tk._("{0} contains control characters").format(name)
            for name in unfit))


def _check_no_key_in_url():
    """An API token in a URL ends up in logs, browser histories and
    shared caches: refused (without repeating it), whatever the method."""
    if "api_key" in flask.request.args:
        raise errors.bad_request(tk._(
            "api_key must not be sent in the URL: send it in the POST body "
            "or in the {0} header").format(token_header()))


def _check_jurisdiction():
    given = _params().get("jurisdiction_id")
    if given and given != _jurisdiction():
        raise errors.not_found(
            tk._("jurisdiction_id '{0}' not found").format(given))


def _jurisdiction():
    """The configured jurisdiction_id, by default the site's host name
    without www. (as the spec suggests)."""
    configured = tk.config.get("ckanext.helpdesk.open311.jurisdiction_id")
    if configured:
        return configured
    host = urllib.parse.urlsplit(tk.config.get("ckan.site_url")).hostname
    return host[4:] if host.startswith("www.") else host


# -- who is asking ------------------------------------------------------------

def token_header():
    """The header CKAN reads API tokens from (CKAN 2.10 has no such
    option and reads Authorization)."""
    return tk.config.get("apitoken_header_name") or "Authorization"


def _token_user():
    """The user of the API token given as api_key in a POST body or in the
    Authorization header; None when neither is given, 403 when it is not
    valid."""
    token = (flask.request.form.get("api_key")
             or flask.request.headers.get(token_header()))
    if not token:
        return None
    user = api_token.get_user_from_token(token)
    if user is None or user.state != "active":
        raise errors.forbidden(tk._("Invalid api_key"))
    return user.name


def _reader_context():
    """Reads see what the caller may see on the pages: a token's user, or
    the signed-in user of the session."""
    user = _token_user()
    if user is None and tk.current_user.is_authenticated:
        user = tk.current_user.name
    return {"user": user or ""}


def _writer_context():
    """Writes trust only a token (never the session cookie, which a
    cross-site form would send along): without one, an anonymous report
    where the operator allows those."""
    user = _token_user()
    if user is None and not _anonymous_reports_allowed():
        raise errors.forbidden(tk._("api_key required"))
    return {"user": user or ""}


def _anonymous_reports_allowed():
    return (tk.asbool(tk.config.get("ckanext.helpdesk.allow_anonymous"))
            and not tk.asbool(tk.config.get(
                "ckanext.helpdesk.open311.require_api_key")))


# -- discovery and services ---------------------------------------------------

def _categories():
    return tk.get_action("helpdesk_category_list")({}, {})


def _category(code):
    for category in _categories():
        if category["code"] == code:
            return category
    raise errors.not_found(
        tk._("service_code '{0}' not found").format(code))


def _moderated():
    return tk.asbool(
        tk.config.get("ckanext.helpdesk.open311.moderate_new_requests"))


@endpoint("discovery")
def discovery():
    return mapping.discovery(
        base_url(), tk.config.get("ckanext.helpdesk.open311.contact"))


@endpoint("services")
def services():
    moderated = _moderated()
    return [mapping.service(category, moderated)
            for category in _categories()]


@endpoint("service_definition")
def service_definition(service_code):
    return mapping.service_definition(_category(service_code))


# -- service requests ---------------------------------------------------------

def _wording():
    return mapping.wording(_categories())


@endpoint("service_requests")
def service_requests_list():
    params = _params()
    context = _reader_context()
    ids = mapping.requested_ids(params)
    if not ids:
        issues = _issues_found(context, params)
    else:
        try:
            issues = _issues_by_id(context, ids)
        except tk.ValidationError as error:
            raise errors.bad_request(
                *mapping.validation_messages(error.error_dict)) from None
    words = _wording()
    extensions = mapping.wants_extensions(params)
    return [mapping.service_request(issue, words, extensions)
            for issue in issues]


def _issues_found(context, params):
    """Issues by the filters; several service codes are searched one by
    one and merged newest first (the search takes one category)."""
    codes = mapping.requested_codes(
        params, {category["code"] for category in _categories()})
    filters = mapping.search_filters(
        params, datetime.datetime.now(datetime.timezone.utc))
    if len(codes) <= 1:
        if codes:
            filters["category"] = codes[0]
        return _search(context, filters)
    window = dict(filters, offset=0,
                  limit=filters["offset"] + filters["limit"])
    merged = sorted(
        (issue for code in codes
         for issue in _search(context, dict(window, category=code))),
        key=lambda issue: issue["created"], reverse=True)
    return merged[filters["offset"]:filters["offset"] + filters["limit"]]


def _search(context, filters):
    return listing.issues(dict(context), filters)


def _issues_by_id(context, ids):
    """The visible ones of the requested issues, in the order asked, in
    one search (the others are left out, as if they did not exist);
    ValidationError for what cannot be an id."""
    found = _search(context, {"id": ids, "limit": len(ids)})
    by_id = {issue["id"]: issue for issue in found}
    return [by_id[issue_id] for issue_id in ids if issue_id in by_id]


def _visible_issue(context, issue_id):
    """The issue, or None when it does not exist, may not be seen, or
    the id cannot be one (too long)."""
    try:
        return tk.get_action("helpdesk_issue_show")(
            dict(context), {"id": issue_id})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return None


@endpoint("service_requests")
def service_request(service_request_id):
    try:
        found = _issues_by_id(_reader_context(), [service_request_id])
    except tk.ValidationError:  # too long to be an id
        found = []
    if not found:
        raise errors.not_found(tk._(
            "service_request_id '{0}' not found").format(service_request_id))
    extensions = mapping.wants_extensions(_params())
    return [mapping.service_request(found[0], _wording(), extensions)]


@endpoint("service_requests")
def create_service_request():
    params = _params()
    if not params.get("service_code"):
        raise errors.bad_request(tk._("service_code is required"))
    category = _category(params["service_code"])
    context = _writer_context()
    fields = mapping.issue_fields(params, category,
                                  anonymous=not context["user"])
    # Held back from the code, never from a parameter a client could send.
    context["helpdesk_held_for_moderation"] = _moderated()
    came_from = _origin(params)
    issue = came_from[1] and origin.issue_with_key(*came_from)
    if issue:  # a forwarding help desk's retry: the same report again
        issue = {"id": issue}
    else:
        issue = _received_issue(context, fields, came_from)
    account_id = context["user"] or None
    if _moderated():
        return [mapping.created_request(token=tokens.new_token(issue["id"]),
                                        account_id=account_id)]
    return [mapping.created_request(service_request_id=issue["id"],
                                    account_id=account_id)]


def _origin(params):
    """(attribute[origin], attribute[origin_key]) of a report forwarded by
    another help desk (federation/origin.py)."""
    given = (params.get("attribute[origin]"),
             params.get("attribute[origin_key]"))
    for name, value, limit in (
            ("attribute[origin]", given[0], origin.URL_LENGTH),
            ("attribute[origin_key]", given[1], origin.KEY_LENGTH)):
        if value and len(value) > limit:
            raise errors.bad_request(tk._(
                "{0} is limited to {1} characters").format(name, limit))
    if given[1] and not given[0]:
        raise errors.bad_request(tk._(
            "attribute[origin_key] needs attribute[origin]"))
    return given


def _received_issue(context, fields, came_from):
    """The new issue, with its origin recorded in its transaction; the
    first one's, when the same origin and key arrived meanwhile."""
    try:
        with origin.receiving(*came_from):
            return _create_issue(context, fields)
    except sa.exc.IntegrityError:
        model.Session.rollback()
        first = came_from[1] and origin.issue_with_key(*came_from)
        if not first:
            raise
        return {"id": first}


def _create_issue(context, fields):
    with _action_errors(tk._("Not allowed to report an issue here")):
        return tk.get_action("helpdesk_issue_create")(dict(context), fields)


@contextlib.contextmanager
def _action_errors(refusal):
    """An action's failures in the spec's error shape: 429 when rate
    limited, 400 naming the parameters, 403 saying `refusal`."""
    try:
        yield
    except ratelimit.RateLimited as error:
        raise errors.Open311Error(
            429, error.message,
            headers={"Retry-After": str(error.retry_after)}) from None
    except tk.ValidationError as error:
        raise errors.bad_request(
            *mapping.validation_messages(error.error_dict)) from None
    except tk.NotAuthorized:
        raise errors.forbidden(refusal) from None


def _site_context():
    """The operator's own authority (CKAN's site user), for what Open311
    does on the operator's behalf rather than the caller's."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"ignore_auth": True, "user": site_user["name"]}


# -- tokens -------------------------------------------------------------------

@endpoint("service_requests")
def resolve_token(token):
    """The id of the token's report once the caller may see it; empty
    while it waits for a moderator. 404 as for an unknown token when the
    report is gone or is where the caller may not look (a private
    dataset): the token tells nothing its holder could not see."""
    issue_id = tokens.issue_id_of(token)
    issue = issue_id and _visible_issue(_site_context(), issue_id)
    context = _reader_context()
    if not issue or not _may_see_dataset_of(context, issue):
        raise errors.not_found(tk._("token '{0}' not found").format(token))
    visible = _visible_issue(context, issue_id)
    return [{"service_request_id": visible["id"] if visible else None,
             "token": token}]


def _may_see_dataset_of(context, issue):
    """Whether the caller may see the issue's dataset (data requests are
    on public organization pages)."""
    if not issue["dataset_id"]:
        return True
    try:
        tk.get_action("package_show")(dict(context),
                                      {"id": issue["dataset_id"]})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return False
    return True


# -- service request updates (FixMyStreet's extension) -------------------------

@endpoint("service_request_updates")
def service_request_updates_list():
    return updates.updates(_params(),
                           datetime.datetime.now(datetime.timezone.utc))


@endpoint("service_request_updates")
def create_service_request_update():
    """A public reply by the api_key's user (and the status change, if it
    differs and they may change it), once per update_id of theirs."""
    params = _params()
    fields = updates.posted_fields(params)
    user = _token_user()
    if user is None:
        raise errors.forbidden(tk._("api_key required"))
    context = {"user": user}
    issue = _visible_issue(context, fields["service_request_id"])
    if issue is None:
        raise errors.not_found(tk._(
            "service_request_id '{0}' not found").format(
                fields["service_request_id"]))
    user_id = model.User.get(user).id
    if not updates.claim(user_id, fields["update_id"], issue["id"]):
        return [{"update_id": updates.posted_before(user_id,
                                                    fields["update_id"])}]
    try:
        comment_id = _post_update(context, issue, fields, user_id)
    except BaseException:
        model.Session.rollback()  # the claim goes with it
        raise
    updates.record(user_id, fields["update_id"], comment_id)
    return [{"update_id": comment_id}]


def _post_update(context, issue, fields, user_id):
    """The id of the reply the update becomes (not committed yet)."""
    status = updates.posted_status(fields["status"], issue["status"])
    viewer = visibility.viewer_from_context(context)
    context = dict(context, defer_commit=True)
    with _action_errors(tk._("Not allowed to update service_request_id "
                             "'{0}'").format(issue["id"])):
        if status != issue["status"] and visibility.manages(issue["id"],
                                                            viewer):
            tk.get_action("helpdesk_issue_update")(context, {
                "id": issue["id"], "status": status,
                "comment": fields["description"]})
            return updates.latest_reply(issue["id"], user_id)
        return tk.get_action("helpdesk_comment_create")(context, {
            "issue_id": issue["id"], "body": fields["description"]})["id"]


def openapi_document():
    return flask.jsonify(openapi.document(base_url()))


# (rule, view, methods); the base URL itself answers discovery.
ROUTES = (
    ("", discovery, None),
    ("/", discovery, None),
    ("/discovery.<fmt>", discovery, None),
    ("/services.<fmt>", services, None),
    ("/services/<service_code>.<fmt>", service_definition, None),
    ("/requests.<fmt>", service_requests_list, ["GET"]),
    ("/requests.<fmt>", create_service_request, ["POST"]),
    ("/requests/<service_request_id>.<fmt>", service_request, None),
    ("/tokens/<token>.<fmt>", resolve_token, None),
    ("/servicerequestupdates.<fmt>", service_request_updates_list, ["GET"]),
    ("/servicerequestupdates.<fmt>", create_service_request_update,
     ["POST"]),
)
