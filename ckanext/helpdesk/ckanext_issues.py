"""Moving from ckanext-issues: `ckan helpdesk import-ckanext-issues`.

Reads the tables that ckanext-issues 1.0.0 keeps in the portal's own
database (issue, issue_comment, issue_category and the abuse reports in
issue_report and issue_comment_report) with plain SQL, so ckanext-issues
need not be installed, and writes help desk issues, comments and abuse
reports in one transaction:

- each issue keeps its number in its dataset, its title, description,
  reporter, assignee and dates (reported, closed); open becomes "new",
  closed "resolved"; its organization is its dataset's owner;
- comments keep their author, text and date;
- hidden ones (ckanext-issues' `visibility` "hidden", or marked as abuse
  by a moderator) are hidden here; reports of abuse become abuse reports,
  still open for a moderator where ckanext-issues' moderator had not
  decided yet.

Who may see an imported issue follows from its dataset (visibility.py), as
for any other: an issue on a private dataset stays with those who may see
the dataset. Nothing is announced: no signal is sent, so no email, webhook
or forward goes out for past issues. After the commit, the datasets that
got issues are indexed again (their open issue count) and their counts
cached for visitors are dropped.

Every imported row is remembered in helpdesk_imported with its source id:
a second run imports only rows added since, and leaves rows imported
before as they are. What cannot be imported (an issue whose dataset was
purged or has no organization, a number another help desk issue already
has) is counted in the report, on every run, and left in ckanext-issues'
tables.
"""
from __future__ import annotations

import collections
import dataclasses
import datetime
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

import ckan.model as model
# The toolkit has no door to the search index's error.
from ckan.lib import search

from ckanext.helpdesk import helpers, search_index
from ckanext.helpdesk.model import (AbuseReport, Comment, ImportedRow,
                                    Issue, IssueCounter)

SOURCE = "ckanext-issues"
# The reason of an imported abuse report (ckanext-issues asked for none).
REPORT_REASON = "Reported as abuse in ckanext-issues."
# ckanext-issues' AbuseStatus: unmoderated 0, abuse 1, not_abuse 2.
ABUSE, NOT_ABUSE = 1, 2
REQUIRED_COLUMNS = {
    "issue": {"id", "number", "title", "description", "dataset_id",
              "resource_id", "user_id", "assignee_id", "status",
              "resolved", "created", "visibility", "abuse_status"},
    "issue_comment": {"id", "comment", "user_id", "issue_id", "created",
                      "visibility", "abuse_status"},
}
# Abuse reports: (source table, kind in helpdesk_imported).
REPORT_TABLES = (("issue_report", "issue_report"),
                 ("issue_comment_report", "comment_report"))


class SourceMissing(Exception):
    """The database has no ckanext-issues tables to import from (or not
    those of 1.0.0)."""


@dataclasses.dataclass
class Report:
    """What a run imported and what it could not, with counts."""
    dry_run: bool
    category: str
    issues: int = 0
    closed: int = 0
    hidden_issues: int = 0
    private: int = 0
    comments: int = 0
    hidden_comments: int = 0
    abuse_reports: int = 0
    awaiting_moderation: int = 0
    before: collections.Counter = dataclasses.field(
        default_factory=collections.Counter)
    dataset_gone: list = dataclasses.field(default_factory=list)
    no_organization: list = dataclasses.field(default_factory=list)
    number_taken: list = dataclasses.field(default_factory=list)
    orphans: int = 0  # comments and reports of issues not imported
    without: collections.Counter = dataclasses.field(
        default_factory=collections.Counter)
    unknown_users: set = dataclasses.field(default_factory=set)
    resources_gone: int = 0
    source_categories: list = dataclasses.field(default_factory=list)
    datasets: set = dataclasses.field(default_factory=set)
    reindex_failed: list = dataclasses.field(default_factory=list)

    def lines(self) -> list[str]:
        not_imported = (len(self.dataset_gone) + len(self.no_organization)
                        + len(self.number_taken))
        lines = [
            "Dry run: nothing was changed." if self.dry_run else
            "Imported from ckanext-issues.",
            f"Issues imported: {self.issues} ({self.closed} closed, "
            f"{self.hidden_issues} hidden, {self.private} on private "
            "datasets)",
            f"Comments imported: {self.comments} "
            f"({self.hidden_comments} hidden)",
            f"Abuse reports imported: {self.abuse_reports} "
            f"({self.awaiting_moderation} awaiting moderation)",
            "Imported by an earlier run (skipped): "
            f"{self.before['issue']} issues, {self.before['comment']} "
            f"comments, {self.before['report']} abuse reports",
            f"Issues not imported: {not_imported}",
            _listed("  dataset no longer exists", self.dataset_gone),
            _listed("  dataset has no organization", self.no_organization),
            _listed("  number already taken by a help desk issue",
                    self.number_taken),
            "Comments and abuse reports of issues not imported: "
            f"{self.orphans}",
            f"Users not on this portal: {len(self.unknown_users)}"
            + (f" ({', '.join(sorted(self.unknown_users))})"
               if self.unknown_users else ""),
            "  imported without them: "
            f"{self.without['reporter']} reporters, "
            f"{self.without['author']} comment authors, "
            f"{self.without['assignee']} assignees, "
            f"{self.without['report']} abuse reporters",
            "Resources no longer there (issues imported about the whole "
            f"dataset): {self.resources_gone}",
            "Categories of ckanext-issues (its issues name none; imported "
            f"issues are filed under {self.category!r}): "
            + (", ".join(self.source_categories) or "none"),
        ]
        if not self.dry_run:
            reindexed = len(self.datasets) - len(self.reindex_failed)
            lines.append(f"Datasets reindexed: {reindexed}")
            if self.reindex_failed:
                lines.append(
                    "Datasets not reindexed (run `ckan search-index "
                    "rebuild` once Solr answers): "
                    + ", ".join(self.reindex_failed))
        return lines


def _listed(label, items):
    return f"{label}: {len(items)}" + (
        f" ({', '.join(items)})" if items else "")


def import_issues(category: str, dry_run: bool = False) -> Report:
    """Import what ckanext-issues holds and no earlier run imported, in
    one transaction (rolled back when `dry_run`); the report of it."""
    report = Report(dry_run=dry_run, category=category)
    session = model.Session
    try:
        _check_source(session)
        run = _Run(session, report, category)
        run.categories()
        run.issues()
        run.comments()
        run.abuse_reports()
        if dry_run:
            session.rollback()
            return report
        session.commit()
    except BaseException:
        session.rollback()
        raise
    _refresh(report)
    return report


def _check_source(session):
    inspector = sa.inspect(session.connection())
    for table, columns in REQUIRED_COLUMNS.items():
        if not inspector.has_table(table):
            raise SourceMissing(
                f"No table {table!r} in this database: is this the "
                "database ckanext-issues used?")
        missing = columns - {column["name"]
                             for column in inspector.get_columns(table)}
        if missing:
            raise SourceMissing(
                f"Table {table!r} lacks the columns of ckanext-issues "
                f"1.0.0: {', '.join(sorted(missing))}")


def _utc(moment):
    """ckanext-issues stores naive UTC (datetime.utcnow)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=datetime.timezone.utc)


def _is_hidden(row):
    return row.visibility == "hidden" or row.abuse_status == ABUSE


class _Run:
    """One import: the source rows, what is already imported, and the
    help desk rows written."""

    def __init__(self, session, report, category):
        self.session = session
        self.report = report
        self.category = category
        self.imported = collections.defaultdict(dict)  # kind: {source: id}
        for row in session.execute(sa.select(
                ImportedRow.kind, ImportedRow.source_id,
                ImportedRow.target_id).where(ImportedRow.source == SOURCE)):
            self.imported[row.kind][row.source_id] = row.target_id
        self.new_issues = {}  # source id: Issue written by this run
        self.users = set()
        self.now = datetime.datetime.now(datetime.timezone.utc)

    def _source(self, sql):
        return self.session.execute(sa.text(sql)).all()

    def _known_users(self, user_ids: Iterable[str | None]):
        """Learn which of the users exist on this portal."""
        wanted = {user_id for user_id in user_ids if user_id} - self.users
        if wanted:
            self.users |= set(self.session.execute(
                sa.select(model.User.id).where(
                    model.User.id.in_(sorted(wanted)))
            ).scalars())

    def _user(self, user_id, role):
        """The user id if the user is on this portal; else None, counted."""
        if not user_id:
            return None
        if user_id in self.users:
            return user_id
        self.report.unknown_users.add(user_id)
        self.report.without[role] += 1
        return None

    def _remember(self, kind, source_id, target_id):
        self.imported[kind][str(source_id)] = target_id
        self.session.add(ImportedRow(source=SOURCE, kind=kind,
                                     source_id=str(source_id),
                                     target_id=target_id))

    def categories(self):
        if sa.inspect(self.session.connection()).has_table("issue_category"):
            self.report.source_categories = [
                f"{row.name} ({row.description})" for row in self._source(
                    "SELECT name, description FROM issue_category "
                    "ORDER BY id")]

    def issues(self):
        rows = [row for row in self._source(
            "SELECT id, number, title, description, dataset_id, "
            "resource_id, user_id, assignee_id, status, resolved, created, "
            "visibility, abuse_status FROM issue "
            "ORDER BY dataset_id, number")
            if not self._before("issue", row.id)]
        datasets = {package.id: package for package in self.session.execute(
            sa.select(model.Package.id, model.Package.name,
                      model.Package.owner_org, model.Package.private)
            .where(model.Package.id.in_(sorted({row.dataset_id
                                                for row in rows}))))}
        resources = set(self.session.execute(
            sa.select(model.Resource.id).where(model.Resource.id.in_(
                sorted({row.resource_id for row in rows if row.resource_id})))
        ).scalars())
        self._known_users(user for row in rows
                          for user in (row.user_id, row.assignee_id))
        by_dataset = collections.defaultdict(list)
        for row in rows:
            package = datasets.get(row.dataset_id)
            if package is None:
                self.report.dataset_gone.append(
                    f"{row.dataset_id} #{row.number}")
            elif not package.owner_org:
                self.report.no_organization.append(
                    f"{package.name} #{row.number}")
            else:
                by_dataset[package].append(row)
        for package, dataset_rows in by_dataset.items():
            taken = self._reserve_numbers(package, dataset_rows)
            for row in dataset_rows:
                if row.number in taken:
                    self.report.number_taken.append(
                        f"{package.name} #{row.number}")
                else:
                    self._issue(row, package, row.resource_id in resources)

    def _before(self, kind, source_id):
        """Whether an earlier run imported the row (counted if so)."""
        if str(source_id) in self.imported[kind]:
            self.report.before["report" if kind.endswith("report")
                               else kind] += 1
            return True
        return False

    def _reserve_numbers(self, package, rows):
        """Move the dataset's counter past the imported numbers (so issues
        reported later get the next ones) and return the numbers its help
        desk issues already have. The counter row stays locked until the
        commit: no issue reported meanwhile takes one of the numbers."""
        counter = IssueCounter.__table__
        highest = max(row.number for row in rows)
        self.session.execute(pg_insert(counter).values(
            scope=package.id, last_number=highest
        ).on_conflict_do_update(
            index_elements=[counter.c.scope],
            set_={"last_number": sa.func.greatest(counter.c.last_number,
                                                  highest)}))
        return set(self.session.execute(
            sa.select(Issue.number).where(
                Issue.dataset_id == package.id,
                Issue.number.in_([row.number for row in rows]))).scalars())

    def _issue(self, row, package, resource_known):
        closed = row.status == "closed"
        created = _utc(row.created)
        resolved = (_utc(row.resolved) or created) if closed else None
        if row.resource_id and not resource_known:
            self.report.resources_gone += 1
        issue = Issue(
            number=row.number, dataset_id=package.id,
            organization_id=package.owner_org,
            resource_id=row.resource_id if resource_known else None,
            category=self.category, title=row.title,
            description=row.description or "",
            status="resolved" if closed else "new", resolved_at=resolved,
            assignee_id=self._user(row.assignee_id, "assignee"),
            reporter_id=self._user(row.user_id, "reporter"),
            hidden=_is_hidden(row), comment_count=0, vote_count=0,
            created=created, updated=resolved or created)
        self.session.add(issue)
        self.session.flush()
        self._remember("issue", row.id, issue.id)
        self.new_issues[str(row.id)] = issue
        self.report.datasets.add(package.id)
        self.report.issues += 1
        self.report.closed += closed
        self.report.hidden_issues += issue.hidden
        self.report.private += bool(package.private)

    def _target_issue(self, source_issue_id):
        """The help desk issue a source issue became, in this run or an
        earlier one; None if it was not imported."""
        source_issue_id = str(source_issue_id)
        if source_issue_id in self.new_issues:
            return self.new_issues[source_issue_id]
        target = self.imported["issue"].get(source_issue_id)
        return target and self.session.get(Issue, target)

    def comments(self):
        rows = [row for row in self._source(
            "SELECT id, comment, user_id, issue_id, created, visibility, "
            "abuse_status FROM issue_comment ORDER BY created, id")
            if not self._before("comment", row.id)]
        self._known_users(row.user_id for row in rows)
        for row in rows:
            issue = self._target_issue(row.issue_id)
            if issue is None:
                self.report.orphans += 1
                continue
            created = _utc(row.created)
            comment = Comment(
                issue_id=issue.id, author_id=self._user(row.user_id,
                                                        "author"),
                body=row.comment, internal=False, hidden=_is_hidden(row),
                created=created, updated=created)
            self.session.add(comment)
            self.session.flush()
            # A statement, not attributes: the issue's `updated` moves only
            # to the comment's date (its onupdate would set it to now).
            issues = Issue.__table__
            self.session.execute(sa.update(issues).where(
                issues.c.id == issue.id).values(
                comment_count=issues.c.comment_count
                + int(not comment.hidden),
                updated=sa.func.greatest(issues.c.updated, created)))
            self._remember("comment", row.id, comment.id)
            self.report.datasets.add(issue.dataset_id)
            self.report.comments += 1
            self.report.hidden_comments += comment.hidden

    def abuse_reports(self):
        inspector = sa.inspect(self.session.connection())
        for table, kind in REPORT_TABLES:
            if inspector.has_table(table):
                self._reports(table, kind)

    def _reports(self, table, kind):
        about_comment = kind == "comment_report"
        parent = "issue_comment" if about_comment else "issue"
        issue_of_parent = "p.issue_id" if about_comment else "p.id"
        rows = [row for row in self._source(
            f"SELECT r.id, r.user_id, r.parent_id, p.abuse_status, "
            f"{issue_of_parent} AS issue_id FROM {table} r "
            f"JOIN {parent} p ON p.id = r.parent_id ORDER BY r.id")
            if not self._before(kind, row.id)]
        self._known_users(row.user_id for row in rows)
        for row in rows:
            issue = self._target_issue(row.issue_id)
            comment_id = (self.imported["comment"].get(str(row.parent_id))
                          if about_comment else None)
            if issue is None or (about_comment and comment_id is None):
                self.report.orphans += 1
                continue
            # A moderator's decision in ckanext-issues closes the report.
            decided = row.abuse_status in (ABUSE, NOT_ABUSE)
            abuse_report = AbuseReport(
                issue_id=issue.id, comment_id=comment_id,
                reporter_id=self._user(row.user_id, "report"),
                reason=REPORT_REASON,
                resolved_at=self.now if decided else None)
            self.session.add(abuse_report)
            self.session.flush()
            self._remember(kind, row.id, abuse_report.id)
            self.report.abuse_reports += 1
            self.report.awaiting_moderation += not decided


def _refresh(report: Report):
    """After the commit: each dataset that got issues or comments is
    indexed again with its open issue count, and what visitors were shown
    of it from Redis is dropped."""
    for dataset_id in sorted(report.datasets):
        helpers.forget_dataset_for_visitors(dataset_id)
        try:
            search_index.reindex_dataset(dataset_id)
        except search.SearchIndexError:
            report.reindex_failed.append(dataset_id)
