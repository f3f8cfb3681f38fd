"""Each dataset's open issue count in CKAN's search index, so /dataset and
package_search find, filter and sort datasets by the state of their help
desk.

What counts: the dataset's open issues (new, acknowledged, in progress)
that are not hidden, the count every reader of the dataset sees on its
page. CKAN adds it to the dataset's Solr document whenever it indexes the
dataset (IPackageController.before_dataset_index, so also on `ckan
search-index rebuild`). When an issue is reported, changes status, is
hidden or shown again, or is deleted, a background job reindexes its
dataset: it is enqueued after the commit (the reporter's request never
waits for Solr, and a change rolled back enqueues nothing), at most one per
dataset waiting in the queue, and a Solr outage fails that job alone,
logged (the next change, or a rebuild, catches up).

CKAN's Solr schema has no integer dynamic field: `helpdesk_open_issues`
falls to its catch-all string field (``*``). The count is indexed
zero-padded to a fixed width, so that string order is numeric order and
sorting works as is, and the numbers of term and range queries on the field
are padded alike before each search, so ``helpdesk_open_issues:[1 TO *]``
means what it says. A portal that declares the field as an integer in its
own schema gets the same answers (Solr reads padded numbers as integers).

The facet field `helpdesk_has_open_issues` is "true" on the datasets with
open issues and absent on the others.
"""
from __future__ import annotations

import logging
import re
from typing import Any

import sqlalchemy as sa
from redis.exceptions import RedisError

import ckan.logic as logic
import ckan.model as model
import ckan.plugins.toolkit as tk
# The toolkit has no door to the search index or to Redis.
from ckan.lib import search
from ckan.lib.redis import connect_to_redis

from ckanext.helpdesk import visibility
from ckanext.helpdesk.model import OPEN_STATUSES, Issue

log = logging.getLogger(__name__)

COUNT_FIELD = "helpdesk_open_issues"
FACET_FIELD = "helpdesk_has_open_issues"
WIDTH = 10  # digits of a padded count
# session.info key: datasets whose count changed in this transaction.
TO_REINDEX = "helpdesk_datasets_to_reindex"
# How long a queued job keeps others for its dataset out of the queue:
# longer than a busy queue takes to reach it; if it is lost, the next
# change after that enqueues another.
QUEUED_SECONDS = 3600

# A term (helpdesk_open_issues:3) or range ([1 TO *], {0 TO 10]) query
# on the count field.
_COUNT_QUERY = re.compile(
    r"(?<![\w.])" + COUNT_FIELD + r":(?P<value>"
    r"[\[{]\s*(?:\d+|\*)\s+TO\s+(?:\d+|\*)\s*[\]}]|\d+(?![\w.]))")


def _padded(count: int) -> str:
    return str(count).zfill(WIDTH)


# -- indexing --------------------------------------------------------------

def open_issue_count(dataset_id: str) -> int:
    statement = sa.select(sa.func.count()).select_from(Issue).where(
        Issue.dataset_id == dataset_id, Issue.status.in_(OPEN_STATUSES),
        visibility.shown_to_readers())
    return model.Session.execute(statement).scalar()


def with_open_issues(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The dataset's Solr document with its count and facet fields."""
    count = open_issue_count(pkg_dict["id"])
    pkg_dict[COUNT_FIELD] = _padded(count)
    if count:
        pkg_dict[FACET_FIELD] = "true"
    return pkg_dict


# -- searching -------------------------------------------------------------

def _padded_query(match) -> str:
    value = re.sub(r"\d+", lambda number: _padded(int(number.group())),
                   match.group("value"))
    return f"{COUNT_FIELD}:{value}"


def with_padded_counts(search_params: dict[str, Any]) -> dict[str, Any]:
    """package_search's parameters with the numbers of the queries on the
    count field (in q, fq and fq_list) padded as the index has them."""
    for key in ("q", "fq"):
        if isinstance(search_params.get(key), str):
            search_params[key] = _COUNT_QUERY.sub(_padded_query,
                                                  search_params[key])
    if isinstance(search_params.get("fq_list"), list):
        search_params["fq_list"] = [
            _COUNT_QUERY.sub(_padded_query, query) if isinstance(query, str)
            else query for query in search_params["fq_list"]]
    return search_params


def with_facet(facets_dict):
    facets_dict[FACET_FIELD] = tk._("Help desk")
    return facets_dict


def with_facet_labels(search_results: dict[str, Any]) -> dict[str, Any]:
    """The facet's one value ("true") reads as what it selects."""
    facet = search_results.get("search_facets", {}).get(FACET_FIELD)
    for item in facet["items"] if facet else ():
        item["display_name"] = tk._("Datasets with open issues")
    return search_results


# -- keeping the index current ---------------------------------------------

def reindex_later(sender, issue, changes=None, **kwargs):
    """A subscriber of issue_created, issue_changed and issue_deleted: the
    issue's dataset is reindexed in the background once the change is
    committed, if it can change the count."""
    if not issue.dataset_id or not _may_change_count(changes):
        return
    session = model.Session()
    session.info.setdefault(TO_REINDEX, set()).add(issue.dataset_id)
    if not sa.event.contains(session, "after_commit", _enqueue_reindex):
        sa.event.listen(session, "after_commit", _enqueue_reindex)
        sa.event.listen(session, "after_rollback", _forget_reindex)


def _may_change_count(changes):
    """Whether the changes (None: the issue is new or deleted) can change
    the count: hiding or showing, or a status change in or out of open."""
    if changes is None or "hidden" in changes:
        return True
    old, new = changes.get("status", (None, None))
    return (old in OPEN_STATUSES) != (new in OPEN_STATUSES)


def _enqueue_reindex(session):
    for dataset_id in session.info.pop(TO_REINDEX, ()):
        try:
            _enqueue_unless_queued(dataset_id)
        except (RedisError, OSError) as error:
            # The change is committed; only the search index lags.
            log.warning("Dataset %s keeps its old help desk count in the "
                        "search index until its next change or `ckan "
                        "search-index rebuild`: cannot enqueue (%s)",
                        dataset_id, error)


def _forget_reindex(session):
    session.info.pop(TO_REINDEX, None)


def _queued_key(dataset_id):
    return f"{tk.config['ckan.site_id']}:helpdesk:reindex_queued:" \
        f"{dataset_id}"


def _enqueue_unless_queued(dataset_id):
    """Enqueue the job unless one for the dataset waits in the queue: that
    one has not read the count yet, so it will index this change too."""
    redis = connect_to_redis()
    key = _queued_key(dataset_id)
    if not redis.set(key, "1", nx=True, ex=QUEUED_SECONDS):
        return
    try:
        tk.enqueue_job(reindex_dataset, [dataset_id],
                       title=f"helpdesk reindex dataset {dataset_id}")
    except (RedisError, OSError):
        redis.delete(key)
        raise


def reindex_dataset(dataset_id: str) -> None:
    """The background job: index the dataset again, with its count."""
    # Before reading: a change committed from now on queues another job.
    connect_to_redis().delete(_queued_key(dataset_id))
    try:
        _index(dataset_id)
    except tk.ObjectNotFound:
        return  # purged meanwhile: CKAN took it out of the index
    except search.SearchIndexError as error:
        dataset = model.Package.get(dataset_id)
        name = dataset.name if dataset else dataset_id
        log.error("Help desk count of dataset %s not indexed: %s; `ckan "
                  "search-index rebuild %s` indexes it once Solr answers",
                  name, error, name)
        raise


def _index(dataset_id: str) -> None:
    """Index the dataset as CKAN does: from 2.12 on, with its dicts under
    both the default and its type's schema (ckan.logic's
    index_update_package); before, the one package_show answers."""
    index_update_package = getattr(logic, "index_update_package", None)
    if index_update_package is not None:
        index_update_package({"ignore_auth": True}, dataset_id)
        return
    dataset = tk.get_action("package_show")(
        {"ignore_auth": True, "use_cache": False, "validate": False},
        {"id": dataset_id})
    search.index_for(model.Package).update_dict(dataset)
