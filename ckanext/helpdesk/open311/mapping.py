"""How help desk things read as GeoReport v2 things, and back.

Categories are services; an issue is a service request; the dataset (or,
for a data request, the organization) is the report's location, given as
a service attribute; the owning organization is the agency responsible.
This module only translates: views.py calls the actions.
"""
import collections
import datetime

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.open311 import errors, render

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The category whose reports are about an organization, not a dataset
# (the same code the issue pages use).
DATA_REQUEST = "data-request"
DEFAULT_WINDOW = datetime.timedelta(days=90)
MAX_RESULTS = 1000
# Values of a comma-separated parameter other than service_request_id
# (there are far fewer services and statuses).
MAX_VALUES = 100
# Pages beyond this would take PostgreSQL's OFFSET past its bigint.
MAX_PAGE = 1_000_000
DESCRIPTION_LENGTH = 4000
TITLE_LENGTH = 80
# Open311 statuses by their meaning in the help desk's status filter.
STATUSES = ("open", "closed")
# Issue fields named as a client sent them, for validation messages.
PARAMETER_NAMES = {
    "dataset_id": "attribute[dataset]",
    "organization_id": "attribute[organization]",
    "resource_id": "attribute[resource]",
    "title": "attribute[title]",
    "category": "service_code",
    "id": "service_request_id",
    "description": "description",
    "reporter_name": "first_name",
    "reporter_email": "email",
    # servicerequestupdates: an update becomes a reply.
    "issue_id": "service_request_id",
    "body": "description",
    "comment": "description",
}
# Read when the application starts, so it changes whenever the services
# (categories, from configuration) may have changed.
CHANGESET = render.w3c_datetime(
    datetime.datetime.now(datetime.timezone.utc))


# -- discovery and services ---------------------------------------------------

def discovery(endpoint_url, contact):
    site_url = tk.config.get("ckan.site_url")
    return {
        "changeset": CHANGESET,
        "contact": contact or site_url,
        "key_service": tk._(
            "Sign in at {0}, open your user page and create an API token; "
            "send it as api_key or in the Authorization header.").format(
                site_url),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": endpoint_url,
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }


def service(category, moderated):
    data_request = category["code"] == DATA_REQUEST
    return {
        "service_code": category["code"],
        "service_name": category["name"],
        "description": category["description"] or None,
        # Every service asks where the report belongs (its location).
        "metadata": True,
        # Moderated reports get a token until a moderator lets them through.
        "type": "batch" if moderated else "realtime",
        "keywords": category["name"].lower(),
        "group": tk._("Organizations") if data_request else tk._("Datasets"),
    }


def service_definition(category):
    if category["code"] == DATA_REQUEST:
        location = [_attribute(
            "organization", True, tk._("Organization name or id"),
            tk._("The organization you ask to publish the data."))]
    else:
        location = [
            _attribute("dataset", True, tk._("Dataset name or id"),
                       tk._("The dataset the report is about (the name in "
                            "its address, /dataset/<name>).")),
            _attribute("resource", False, tk._("Resource id"),
                       tk._("One of the dataset's resources, when the "
                            "report is about it.")),
        ]
    title = _attribute(
        "title", False, tk._("Up to 200 characters"),
        tk._("A short summary; the first line of the description when "
             "left out."))
    attributes = location + [title]
    for order, attribute in enumerate(attributes, start=1):
        attribute["order"] = order
    return {"service_code": category["code"], "attributes": attributes}


def _attribute(code, required, datatype_description, description):
    return {
        "variable": True,
        "code": code,
        "datatype": "string",
        "required": required,
        "datatype_description": datatype_description,
        "order": 0,
        "description": description,
        "values": [],
    }


# -- service requests ---------------------------------------------------------

Wording = collections.namedtuple("Wording", "service_names status_labels")


def wording(categories):
    """The names of services and statuses, looked up once per answer (a
    translation per row would cost more than the row)."""
    return Wording({category["code"]: category["name"]
                    for category in categories},
                   dict(tk.h.helpdesk_statuses()))


def service_request(issue, words, extensions=False):
    """A help desk issue, as open311/listing.py reads it, as a GeoReport
    request."""
    record = {
        "service_request_id": issue["id"],
        "status": issue["open311_status"],
        "status_notes": issue["status_notes"],
        "service_name": words.service_names.get(issue["category"],
                                                issue["category"]),
        "service_code": issue["category"],
        "description": issue["description"],
        "agency_responsible": issue["organization_title"],
        "service_notice": words.status_labels[issue["status"]],
        "requested_datetime": issue["requested_datetime"],
        "updated_datetime": issue["updated_datetime"],
        "expected_datetime": None,
        "address": issue["dataset_title"],
        "address_id": issue["dataset_name"],
        "zipcode": None,
        "lat": issue["lat"],
        "long": issue["long"],
        "media_url": None,
    }
    if extensions:
        record["extended_attributes"] = _extended_attributes(issue)
    return record


def _extended_attributes(issue):
    return {
        "url": tk.h.helpdesk_issue_url(issue, qualified=True),
        "number": issue["number"],
        "title": issue["title"],
        "status": issue["status"],
        "dataset": issue["dataset_name"],
        "resource": issue["resource_id"],
        "organization": issue["organization_name"],
        "comment_count": issue["comment_count"],
        "vote_count": issue["vote_count"],
    }


def created_request(service_request_id=None, token=None, account_id=None):
    """The one element of a POST answer: an id, or a token, never both."""
    key, value = (("token", token) if token
                  else ("service_request_id", service_request_id))
    return {key: value,
            "service_notice": tk.h.helpdesk_status_label("new"),
            "account_id": account_id}


# -- query parameters ---------------------------------------------------------

def requested_ids(params):
    """The ids of service_request_id=a,b,c, or None when not given."""
    return _comma_list(params, "service_request_id", MAX_RESULTS) or None


def requested_codes(params, known_codes):
    return _known_values(params, "service_code", known_codes,
                         tk._("service_code '{0}' not found"))


def search_filters(params, now):
    """helpdesk_issue_search filters for GET requests: status, date window
    (by default the most recent 90 days, never more than 90 days) and
    page; categories are handled by the caller (one search per code)."""
    start, end = date_window(params, now)
    page, page_size = paging(params)
    filters = {
        "created_after": start.isoformat(),
        "created_before": end.isoformat(),
        "sort": "newest",
        "limit": page_size,
        "offset": (page - 1) * page_size,
    }
    statuses = _statuses(params)
    if statuses:
        filters["status"] = ",".join(statuses)
    return filters


def wants_extensions(params):
    return (params.get("extensions") or "").lower() == "true"


def date_window(params, now):
    """(start, end) of start_date and end_date: at most 90 days apart; by
    default the 90 days to end_date (or to now), or from start_date."""
    start = _date_param(params, "start_date")
    end = _date_param(params, "end_date")
    if start and end:
        if end < start:
            raise errors.bad_request(
                tk._("end_date is earlier than start_date"))
        if end - start > DEFAULT_WINDOW:
            raise errors.bad_request(tk._(
                "start_date and end_date may not span more than 90 days"))
        return start, end
    if start:
        return start, _shifted(start, DEFAULT_WINDOW)
    end = end or now
    return _shifted(end, -DEFAULT_WINDOW), end


def _shifted(moment, delta):
    try:
        return moment + delta
    except OverflowError:  # within 90 days of year 1 or year 9999
        raise errors.bad_request(
            tk._("The dates are out of range")) from None


def _date_param(params, name):
    text = params.get(name)
    if not text:
        return None
    try:
        # In UTC: PostgreSQL takes no offset beyond 15:59, ISO 8601 does.
        return render.parse_w3c_datetime(text).astimezone(
            datetime.timezone.utc)
    except (ValueError, OverflowError):
        raise errors.bad_request(tk._(
            "{0} must be a W3C date-time with a time zone, "
            "e.g. 2010-01-01T00:00:00Z").format(name)) from None


def _statuses(params):
    return _known_values(params, "status", STATUSES,
                         tk._("status '{0}' is not open or closed"))


def _known_values(params, name, known, message):
    """The comma-separated values of parameter `name`; a 400 with one
    error per value not in `known`."""
    values = _comma_list(params, name, MAX_VALUES)
    unknown = [value for value in values if value not in known]
    if unknown:
        raise errors.bad_request(*(message.format(value)
                                   for value in unknown))
    return values


def paging(params):
    page = _positive_int(params, "page", 1, MAX_PAGE)
    page_size = _positive_int(params, "page_size", MAX_RESULTS, MAX_RESULTS)
    return page, page_size


def _positive_int(params, name, default, maximum):
    text = params.get(name)
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or not (
            0 < int(text) <= maximum):
        raise errors.bad_request(tk._(
            "{0} must be a whole number from 1 to {1}").format(
                name, maximum))
    return int(text)


def _comma_list(params, name, maximum):
    """The values of parameter `name` ("a,b,c"), each once; a 400 when
    there are more than `maximum`, so a request does bounded work."""
    items = (params.get(name) or "").split(",")
    values = list(dict.fromkeys(item.strip() for item in items
                                if item.strip()))
    if len(values) > maximum:
        raise errors.bad_request(tk._(
            "{0} takes at most {1} values").format(name, maximum))
    return values


# -- POST requests ------------------------------------------------------------

def issue_fields(params, category, anonymous):
    """helpdesk_issue_create's data_dict from a POST's parameters."""
    description = params.get("description") or ""
    if len(description) > DESCRIPTION_LENGTH:
        raise errors.bad_request(tk._(
            "description is limited to {0} characters").format(
                DESCRIPTION_LENGTH))
    # A blank title counts as none: the description's first line stands in.
    title = (params.get("attribute[title]") or "").strip() \
        or _first_line(description)
    if not title:
        raise errors.bad_request(tk._("description is required"))
    # GeoReport makes the description optional, the help desk does not:
    # a request with a title alone is described by its title.
    fields = {"category": category["code"], "title": title,
              "description": description.strip() or title}
    fields.update(_location(params, category))
    if anonymous:
        fields.update(_reporter(params))
    return fields


def _location(params, category):
    if category["code"] == DATA_REQUEST:
        organization = params.get("attribute[organization]")
        if not organization:
            raise errors.bad_request(
                tk._("attribute[organization] is required"))
        return {"organization_id": organization}
    # address_id is the spec's own location identifier: here, a dataset.
    dataset = params.get("attribute[dataset]") or params.get("address_id")
    if not dataset:
        raise errors.bad_request(tk._(
            "attribute[dataset] is required (it stands for the location)"))
    location = {"dataset_id": dataset}
    if params.get("attribute[resource]"):
        location["resource_id"] = params["attribute[resource]"]
    return location


def _reporter(params):
    if not params.get("email"):
        raise errors.bad_request(
            tk._("email is required to report without an api_key"))
    name = " ".join(filter(None, (params.get("first_name"),
                                  params.get("last_name"))))
    return {"reporter_email": params["email"],
            "reporter_name": name or tk._("Anonymous")}


def _first_line(text):
    line = text.strip().split("\n", 1)[0].strip()
    if len(line) <= TITLE_LENGTH:
        return line
    return line[:TITLE_LENGTH - 1].rstrip() + "\u2026"


def validation_messages(error_dict):
    """A ValidationError's {field: [message]} as descriptions naming the
    parameters the client sent."""
    return [f"{PARAMETER_NAMES.get(field, field)}: {message}"
            for field, messages in error_dict.items()
            for message in _as_list(messages)]


def _as_list(messages):
    return messages if isinstance(messages, list) else [messages]
