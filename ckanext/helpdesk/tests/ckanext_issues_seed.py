"""Makes a ckanext-issues database for the import tests with ckanext-issues'
own code (1.0.0, from PyPI, in dev-requirements-no-deps.txt): its
`setup()` creates its tables and categories, its model classes (Issue,
IssueComment) write the rows and their `report_abuse()` the abuse
reports.

Run in a process of its own (`python ckanext_issues_seed.py test.ini
[--keep]`, the issues as JSON on stdin, the ids made as JSON on stdout;
without --keep it empties the tables first, and an issue given with its
"id" gets only the comments given): importing
ckanext.issues.model maps its classes onto CKAN's own (backrefs such as
Package.issues that cascade on purge), which must not outlive it in the
test process.

ckanext-issues was written for CKAN 2.9, whose metadata was bound to the
engine (as 2.10's is); its `setup()` calls `Table.exists()` without a
connection. On 2.11 the metadata is unbound: it is bound here for that call
only, which is all ckanext-issues needs to run unchanged on 2.11. On 2.12
(SQLAlchemy 2.0) what it uses of SQLAlchemy 1 is given back as what
replaced it.
"""
import datetime
import json
import sys

from ckan.cli import load_config
from ckan.config.middleware import make_app

SOURCE_TABLES = "issue_comment_report, issue_report, issue_comment, issue"


def _when(value):
    return value and datetime.datetime.fromisoformat(value)


def _post(session, spec, post):
    """Save an issue or comment with its date and moderation state, and
    have the users in spec["reports"] report it as abuse."""
    post.created = _when(spec["created"])
    post.visibility = spec.get("visibility", "visible")
    post.abuse_status = spec.get("abuse_status", 0)
    session.add(post)
    session.flush()
    for reporter in spec.get("reports", ()):
        post.report_abuse(session, reporter)
    return post


def _restore_what_sqlalchemy_2_removed(meta):
    """ckanext-issues imports `relation`, maps its classes with CKAN's
    `meta.mapper` and calls `Table.exists()` and `Table.create()` on bound
    metadata, all gone in SQLAlchemy 2.0 (CKAN 2.12): give them back as
    what replaced them (with CKAN's engine), so its code runs
    unchanged."""
    import sqlalchemy as sa
    import sqlalchemy.orm

    if sa.__version__.startswith("1."):
        return
    engine = meta.engine
    meta.mapper = meta.registry.map_imperatively
    if not hasattr(sqlalchemy.orm, "relation"):
        sqlalchemy.orm.relation = sqlalchemy.orm.relationship
    if not hasattr(sa.Table, "exists"):
        sa.Table.exists = lambda table, bind=None: sa.inspect(
            bind or engine).has_table(table.name, schema=table.schema)
    create = sa.Table.create
    sa.Table.create = lambda table, bind=None, checkfirst=False: create(
        table, bind or engine, checkfirst=checkfirst)


def seed(issues, keep=False):
    import sqlalchemy as sa

    import ckan.model as model
    _restore_what_sqlalchemy_2_removed(model.meta)
    from ckanext.issues import model as issues_model

    # The engine on 2.10, None on 2.11; SQLAlchemy 2.0 has no bound
    # metadata (its Table.exists is given the engine above).
    bound = getattr(model.meta.metadata, "bind", None)
    model.meta.metadata.bind = model.meta.engine
    try:
        issues_model.setup()
    finally:
        model.meta.metadata.bind = bound
    session = model.Session
    if not keep:
        session.execute(sa.text(
            f"TRUNCATE {SOURCE_TABLES} RESTART IDENTITY CASCADE"))
    made = []
    for spec in issues:
        issue = issues_model.Issue.get(spec["id"]) if "id" in spec else \
            _post(session, spec, issues_model.Issue(
            number=spec["number"], title=spec["title"],
            description=spec.get("description"),
            dataset_id=spec["dataset_id"],
            resource_id=spec.get("resource_id"), user_id=spec["user_id"],
            assignee_id=spec.get("assignee_id"),
            status=spec.get("status", "open"),
            resolved=_when(spec.get("resolved"))))
        made.append({"id": issue.id, "comments": [
            _post(session, comment, issues_model.IssueComment(
                comment=comment["comment"], user_id=comment["user_id"],
                issue_id=issue.id)).id
            for comment in spec.get("comments", ())]})
    session.commit()
    return made


if __name__ == "__main__":
    make_app(load_config(sys.argv[1]))
    json.dump(seed(json.load(sys.stdin), keep="--keep" in sys.argv),
              sys.stdout)
