"""What the help desk's blueprints share: calling actions, reading list
filters from the query string, paginating, and turning the actions'
errors into HTTP answers."""
from __future__ import annotations

import datetime
import functools
from typing import Any, Callable, Mapping

import ckan.plugins.toolkit as tk
from ckan.lib.pagination import Page  # toolkit has no door to the pager
from ckan.types import ActionResult, DataDict

from ckanext.helpdesk import spam
from ckanext.helpdesk.logic import text
from ckanext.helpdesk.logic.schema import MAX_OFFSET
from ckanext.helpdesk.logic.sorts import ISSUE_SORTS
from ckanext.helpdesk.ratelimit import RateLimited

PER_PAGE = 20
# Filters a list page passes on to helpdesk_issue_search as they are.
PLAIN_FILTERS = ("status", "category", "q", "assignee", "dataset_id",
                 "past_target")
# "Older than" choices of the queue, in days.
AGES = (7, 30, 90)
MAX_AGE = 36500  # days: "older than a century" is old enough
# The status of a form shown again with one of these (form-wide) errors.
REFUSALS = {"form": 400, "rate_limit": 429}


def call(action_name: str, **data_dict: Any) -> ActionResult:
    """Run an action as the signed-in user (or anonymous)."""
    return tk.get_action(action_name)({}, data_dict)


def http_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer 404 for what does not exist or may not be seen, 403 for
    what may be seen but not done, 429 over a rate limit, 400 naming the
    fields for bad values in the URL (forms handle their own errors)."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except tk.ObjectNotFound:
            return tk.abort(404, tk._("Not found"))
        except tk.NotAuthorized:
            return tk.abort(403, tk._("Not authorized"))
        except RateLimited as error:
            # CKAN's error page, with the limit's message (tk.abort would
            # show werkzeug's generic one).
            return tk.render("error_document_template.html", {
                "code": 429, "name": tk._("Too many requests"),
                "content": error.message}), 429
        except tk.ValidationError as error:
            return tk.abort(400, "; ".join(
                f"{field}: {' '.join(map(str, messages))}"
                for field, messages in error.error_dict.items()))
    return wrapper


def visible_dataset(dataset_id: str) -> DataDict:
    """The dataset, or 404 for one the user may not see (as CKAN's own
    dataset page answers)."""
    try:
        return call("package_show", id=_nameable(dataset_id))
    except tk.NotAuthorized:
        raise tk.ObjectNotFound() from None


def visible_organization(org_id: str) -> DataDict:
    return call("organization_show", id=_nameable(org_id),
                include_datasets=False, include_users=False,
                include_extras=False)


def _nameable(name: str) -> str:
    """A name or id from the URL, or 404 for one that no row can have
    (CKAN's *_show would answer a NUL with a 500)."""
    if text.problem(name, text.ID_LENGTH):
        raise tk.ObjectNotFound()
    return name


def form_data() -> dict[str, str]:
    """The posted form without CKAN's CSRF token, stripped."""
    return {key: value.strip() for key, value in tk.request.form.items()
            if key != "_csrf_token"}


def refuse_spam() -> None:
    """Forms posted without an account: a ValidationError with a neutral
    "form" error for what looks like a bot's post (see spam.py)."""
    if not tk.current_user.is_authenticated:
        message = spam.refusal(tk.request.form)
        if message:
            raise tk.ValidationError({"form": [message]})


def form_status(errors: Mapping[str, Any], default: int = 200) -> int:
    """The status a refused form is shown again with: 400 for a post
    refused as a bot's, 429 over a rate limit (ratelimit.py adds
    Retry-After), else `default`."""
    return max([REFUSALS.get(key, default) for key in errors] + [default])


def search_filters(args: Mapping[str, str],
                   allowed: tuple[str, ...] = PLAIN_FILTERS
                   ) -> dict[str, Any]:
    """The query string's list filters, as helpdesk_issue_search takes
    them (empty ones left out)."""
    filters = {key: args[key] for key in allowed
               if args.get(key) and args[key] != "all"}
    if args.get("sort") in ISSUE_SORTS:
        filters["sort"] = args["sort"]
    age = args.get("older_than", "")
    if age.isascii() and age.isdigit():
        if int(age) > MAX_AGE:
            raise tk.ValidationError({"older_than": [
                tk._("Must be at most {0}").format(MAX_AGE)]})
        filters["created_before"] = _days_ago(int(age)).isoformat()
    return filters


def _days_ago(days: int) -> datetime.datetime:
    return (datetime.datetime.now(datetime.timezone.utc)
            - datetime.timedelta(days=days))


def current_page() -> int:
    """The page asked for, from 1 to the last page search can reach."""
    try:
        number = int(tk.request.args.get("page", 1))
    except ValueError:
        return 1
    return min(max(1, number), MAX_OFFSET // PER_PAGE)


def search_page(filters: dict[str, Any], endpoint: str,
                **url_args: Any) -> tuple[dict[str, Any], Page]:
    """Search one page of issues; returns (result, h.Page) with pager
    links that keep the list's filters."""
    number = current_page()
    result = call("helpdesk_issue_search", limit=PER_PAGE,
                  offset=(number - 1) * PER_PAGE, **filters)
    params = {key: value for key, value in tk.request.args.items()
              if key != "page"}

    def page_url(q: Any = None, page: int | None = None) -> str:
        return tk.h.url_for(endpoint, page=page, **url_args, **params)

    pager = Page(collection=result["results"], page=number,
                 items_per_page=PER_PAGE, item_count=result["count"],
                 presliced_list=True, url=page_url)
    return result, pager


def safe_next(default: str) -> str:
    """The form's "came_from" if it is a local path, else the default:
    never redirect off-site."""
    came_from = tk.request.form.get("came_from", "")
    if came_from.startswith("/") and not came_from.startswith("//"):
        return came_from
    return default
