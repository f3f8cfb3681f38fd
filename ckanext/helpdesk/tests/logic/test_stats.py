"""The statistics (logic/stats.py, helpdesk_stats) against a frozen clock:
issues, replies and status changes at fixed moments, the figures worked
out by hand below, for each kind of viewer."""
import datetime

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk import visibility
from ckanext.helpdesk.logic import stats
from ckanext.helpdesk.model import Comment, Event, Issue
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.logic.test_query_budget import \
    counting_statements

pytestmark = pytest.mark.usefixtures("with_plugins")

UTC = datetime.timezone.utc
# Wednesday 4 March 2026, noon UTC; its week starts on Monday 2 March.
NOW = datetime.datetime(2026, 3, 4, 12, tzinfo=UTC)
HOUR = 3600


def _days_ago(days):
    return NOW - datetime.timedelta(days=days)


def _set(table, row_id, **values):
    model.Session.execute(sa.update(table).where(table.id == row_id)
                          .values(**values))
    model.Session.commit()


def _issue(world, dataset, days_ago, category, user="reporter"):
    """An issue on `dataset` (a data request to the organization when
    None), reported `days_ago`."""
    target = ({"dataset_id": dataset["id"]} if dataset
              else {"organization_id": world.org["id"]})
    issue = factories.Issue(user=getattr(world, user), category=category,
                            **target)
    _set(Issue, issue["id"], created=_days_ago(days_ago))
    return issue


def _comment(world, issue, user, hours_after, **extra):
    comment = call_as(getattr(world, user), "helpdesk_comment_create",
                      issue_id=issue["id"], body="On it.", **extra)
    created = model.Session.get(Issue, issue["id"]).created
    _set(Comment, comment["id"],
         created=created + datetime.timedelta(hours=hours_after))
    return comment


def _status(world, issue, user, hours_after, status):
    """A status change `hours_after` the report (a closing one resolves
    the issue then)."""
    call_as(getattr(world, user), "helpdesk_issue_update", id=issue["id"],
            status=status)
    created = model.Session.get(Issue, issue["id"]).created
    moment = created + datetime.timedelta(hours=hours_after)
    event_id = model.Session.execute(sa.select(Event.id).where(
        Event.issue_id == issue["id"], Event.kind == "status").order_by(
        Event.created.desc())).scalar()
    _set(Event, event_id, created=moment)
    if status == "resolved":
        _set(Issue, issue["id"], resolved_at=moment)


@pytest.fixture
def history(world):
    """Issues of `world.org` (its target: 3 working days), days before NOW:

    key  where          category      reported            answered  closed
    A    public         data-problem  2 (Mon 2 Mar)       +2h       +10h
    B    public         data-problem  5 (Fri 27 Feb)      +4h (a status;
                                                          reply +5h)
    C    public         question      10 (Sun 22 Feb)     +8h (note   +48h
                                                          +1h, the
                                                          reporter
                                                          +0.5h)
    D    data request   data-request  20 (Thu 12 Feb)     +20h      +100h
    E    public         question      12 (Fri 20 Feb)     +130h (late)
    F    private        data-problem  3 (Sun 1 Mar)       +1h
    G    public hidden  data-problem  4                   +0.1h
    H    public         improvement   40 (Sat 24 Jan)     +30h
    I    public         question      1 (Tue 3 Mar)       hidden reply +0.2h
    J    public         improvement   15 (Tue 17 Feb)     never (but
                                                          another
                                                          organization's
                                                          admin +1h)
    K    public         data-problem  200 (Sat 16 Aug 2025)
    L    data request   data-request  100 (Mon 24 Nov 2025)
    +1s: E two, B one, L one. `other_org` publishes a dataset (without
    issues): its admin answers for it, not for `org`.
    """
    w = world
    a = _issue(w, w.public, 2, "data-problem")
    _comment(w, a, "editor", 2)
    _status(w, a, "editor", 10, "resolved")
    b = _issue(w, w.public, 5, "data-problem")
    _status(w, b, "admin", 4, "acknowledged")
    _comment(w, b, "editor", 5)
    c = _issue(w, w.public, 10, "question")
    _comment(w, c, "reporter", 0.5)
    _comment(w, c, "editor", 1, internal=True)
    _comment(w, c, "editor", 8)
    _status(w, c, "editor", 48, "resolved")
    d = _issue(w, None, 20, "data-request")
    _comment(w, d, "editor", 20)
    _status(w, d, "admin", 100, "resolved")
    e = _issue(w, w.public, 12, "question")
    _comment(w, e, "editor", 130)
    f = _issue(w, w.private, 3, "data-problem", user="member")
    _comment(w, f, "editor", 1)
    g = _issue(w, w.public, 4, "data-problem")
    _comment(w, g, "editor", 0.1)
    call_as(w.admin, "helpdesk_issue_hide", id=g["id"])
    h = _issue(w, w.public, 40, "improvement")
    _comment(w, h, "editor", 30)
    i = _issue(w, w.public, 1, "question")
    reply = _comment(w, i, "editor", 0.2)
    call_as(w.admin, "helpdesk_comment_hide", id=reply["id"])
    j = _issue(w, w.public, 15, "improvement")
    _comment(w, j, "outsider", 1)  # another organization's admin
    factories.Dataset(owner_org=w.other_org["id"])  # a publisher too
    _issue(w, w.public, 200, "data-problem")  # K
    data_request = _issue(w, None, 100, "data-request")  # L
    for voter, issue in ((w.stranger, e), (w.outsider, e), (w.stranger, b),
                         (w.stranger, data_request)):
        call_as(voter, "helpdesk_issue_vote", id=issue["id"])
    w.requested = data_request
    return w


def _figures(user, window=30, organization_id=None):
    viewer = visibility.viewer_from_context(
        {"user": user["name"] if user else ""})
    return stats.statistics(viewer, organization_id, window, now=NOW)


def test_times_to_response_and_resolution_are_the_hand_computed_percentiles(
        history):
    totals = _figures(None)["totals"]

    # Reported in the 30 days, visible to all: A B C D E I J (F private,
    # G hidden, H K L older). Answered: A 2h, B 4h (its status change
    # before its reply), C 8h (not the reporter's comment nor the internal
    # note), D 20h, E 130h; I's only reply is hidden, J has none.
    # percentile_cont over n sorted values: position p * (n - 1),
    # interpolated between its neighbours.
    # Median of [2, 4, 8, 20, 130]: position 2 -> 8h.
    # 90th: position 0.9 * 4 = 3.6 -> 20 + 0.6 * (130 - 20) = 86h.
    assert totals["reported"] == 7
    assert totals["answered"] == 5
    assert totals["response_median"] == pytest.approx(8 * HOUR)
    assert totals["response_p90"] == pytest.approx(86 * HOUR)
    # Closed: A 10h, C 48h, D 100h. Median 48h; 90th: position 1.8 ->
    # 48 + 0.8 * (100 - 48) = 89.6h.
    assert totals["closed"] == 3
    assert totals["resolution_median"] == pytest.approx(48 * HOUR)
    assert totals["resolution_p90"] == pytest.approx(89.6 * HOUR)


def test_the_share_within_target_counts_working_days_and_skips_the_not_yet_due(
        history):
    totals = _figures(None)["totals"]

    # Target 3 working days. Due: A Mon 12:00 -> Thu 5 Mar 12:00 (in time);
    # B Fri 27 Feb 12:00 -> Wed 4 Mar 12:00, over the weekend (in time);
    # C Sunday -> counted from Mon 23 Feb 00:00 -> Thu 26 Feb 00:00 (in
    # time at Sun 20:00); D Thu 12 Feb 12:00 -> Tue 17 Feb 12:00 (in time);
    # E Fri 20 Feb 12:00 -> Wed 25 Feb 12:00, answered Thu 26 Feb 02:00:
    # late; J Tue 17 Feb 12:00 -> Fri 20 Feb 12:00, never answered: late;
    # I Tue 3 Mar 12:00 -> Fri 6 Mar 12:00, after NOW: not yet due.
    assert totals["answered_in_time"] == 4
    assert totals["due"] == 6
    assert totals["within_target"] == pytest.approx(4 / 6)


def test_figures_per_category_and_organization_are_of_their_own_issues(
        history):
    figures = _figures(None)
    by_category = {row["category"]: row for row in figures["categories"]}

    # data-problem: A 2h, B 4h: median 3h, 90th 2 + 0.9 * (4 - 2) = 3.8h.
    assert by_category["data-problem"]["response_median"] == pytest.approx(
        3 * HOUR)
    assert by_category["data-problem"]["response_p90"] == pytest.approx(
        3.8 * HOUR)
    # question: C 8h, E 130h (I unanswered): median 69h, 90th
    # 8 + 0.9 * 122 = 117.8h; resolution C alone: 48h.
    assert by_category["question"]["response_median"] == pytest.approx(
        69 * HOUR)
    assert by_category["question"]["response_p90"] == pytest.approx(
        117.8 * HOUR)
    assert by_category["question"]["resolution_median"] == pytest.approx(
        48 * HOUR)
    # improvement: J, never answered.
    assert by_category["improvement"]["reported"] == 1
    assert by_category["improvement"]["response_median"] is None
    by_organization = {row["id"]: row for row in figures["organizations"]}
    assert by_organization[history.org["id"]]["response_median"] == \
        pytest.approx(8 * HOUR)
    assert by_organization[history.org["id"]]["open"] == 7
    quiet = by_organization[history.other_org["id"]]
    assert (quiet["reported"], quiet["open"], quiet["response_median"],
            quiet["within_target"]) == (0, 0, None, None)
    # The organization's own page has the same figures as its row.
    own = _figures(None, organization_id=history.org["id"])
    assert own["totals"] == figures["totals"]
    empty = _figures(None, organization_id=history.other_org["id"])
    assert empty["totals"]["reported"] == 0
    assert empty["totals"]["response_median"] is None
    assert empty["weekly"] == []


def test_the_backlog_by_age_and_the_weekly_figures_are_counted_by_the_calendar(
        history):
    figures = _figures(None)

    # Open and visible: B 5 days, I 1 (under a week); E 12, J 15 (under a
    # month); H 40 (under a quarter); K 200, L 100 (older).
    assert figures["totals"]["open"] == 7
    assert figures["totals"]["ages"] == {"week": 2, "month": 2, "quarter": 1,
                                         "older": 2}
    org = history.org["id"]
    assert [(row["week"], row["category"], row["opened"], row["closed"])
            for row in figures["weekly"]] == [
        ("2025-08-11", "data-problem", 1, 0),  # K (Sat 16 Aug)
        ("2025-11-24", "data-request", 1, 0),  # L
        ("2026-01-19", "improvement", 1, 0),   # H (Sat 24 Jan)
        ("2026-02-09", "data-request", 1, 0),  # D reported
        ("2026-02-16", "data-request", 0, 1),  # D resolved Mon 16 Feb
        ("2026-02-16", "improvement", 1, 0),   # J
        ("2026-02-16", "question", 2, 0),      # E (Fri 20), C (Sun 22)
        ("2026-02-23", "data-problem", 1, 0),  # B
        ("2026-02-23", "question", 0, 1),      # C resolved Tue 24 Feb
        ("2026-03-02", "data-problem", 1, 1),  # A reported and resolved
        ("2026-03-02", "question", 1, 0),      # I
    ]
    assert {row["organization_id"] for row in figures["weekly"]} == {org}


def test_datasets_and_data_requests_are_ranked_by_open_issues_and_plus_ones(
        history):
    figures = _figures(None)

    # Public dataset, open: B E H I J K; +1s on them: E 2, B 1.
    assert [(row["name"], row["open"]) for row in
            figures["datasets"]["most_open"]] == [(history.public["name"], 6)]
    assert [(row["name"], row["votes"]) for row in
            figures["datasets"]["most_votes"]] == [(history.public["name"], 3)]
    # D is resolved: L alone is still asked for.
    assert [(row["id"], row["vote_count"]) for row in
            figures["requested"]] == [(history.requested["id"], 1)]


def test_a_private_datasets_issues_count_for_its_organizations_members_only(
        history):
    for outsider in (None, history.stranger, history.outsider):
        figures = _figures(outsider)
        assert figures["totals"]["reported"] == 7
        assert [row["name"] for row in figures["datasets"]["most_open"]] == [
            history.public["name"]]

    for member in (history.member, history.editor, history.sysadmin):
        figures = _figures(member)
        # F adds a reported issue answered after 1h, in time (Sunday ->
        # Mon 2 Mar 00:00 -> Thu 5 Mar 00:00), and an open one under a
        # week: responses [1, 2, 4, 8, 20, 130]: median (4 + 8) / 2 = 6h,
        # 90th position 4.5 -> 20 + 0.5 * 110 = 75h.
        totals = figures["totals"]
        assert totals["reported"] == 8
        assert totals["response_median"] == pytest.approx(6 * HOUR)
        assert totals["response_p90"] == pytest.approx(75 * HOUR)
        assert (totals["answered_in_time"], totals["due"]) == (5, 7)
        assert totals["ages"]["week"] == 3
        assert [(row["name"], row["open"]) for row in
                figures["datasets"]["most_open"]] == [
            (history.public["name"], 6), (history.private["name"], 1)]


def test_hidden_issues_and_replies_and_internal_notes_never_count_as_answers(
        history):
    # The editors see the hidden issue G (answered after 0.1h) and I's
    # hidden reply, and read C's internal note: none of them counts, nor
    # the reply of another organization's admin to J.
    by_category = {row["category"]: row
                   for row in _figures(history.editor)["categories"]}

    # data-problem: A 2h, B 4h, F 1h (G hidden): median 2h.
    assert by_category["data-problem"]["reported"] == 3
    assert by_category["data-problem"]["response_median"] == pytest.approx(
        2 * HOUR)
    # question: C 8h (not its note at 1h), E 130h; I unanswered.
    assert by_category["question"]["answered"] == 2
    assert by_category["improvement"]["answered"] == 0
    assert by_category["question"]["response_median"] == pytest.approx(
        69 * HOUR)


def test_a_window_outside_30_90_365_is_refused_naming_the_window(world):
    for window in (7, "ninety", ""):
        with pytest.raises(tk.ValidationError) as error:
            call_as(None, "helpdesk_stats", window=window or " ")
        assert list(error.value.error_dict) == ["window"]
    with pytest.raises(tk.ValidationError) as error:
        call_as(None, "helpdesk_stats", sort="colour")
    assert list(error.value.error_dict) == ["sort"]


def test_the_action_answers_json_ready_figures_of_the_window_asked_for(
        history):
    figures = call_as(history.stranger, "helpdesk_stats", window="365",
                      organization_id=history.org["name"])

    # H (40 days) is in the year: 8 reported.
    assert figures["window"] == 365
    assert figures["totals"]["reported"] == 8
    assert [row["id"] for row in figures["organizations"]] == [
        history.org["id"]]
    assert all(isinstance(row["week"], str) for row in figures["weekly"])


def test_the_statistics_cost_the_same_few_statements_for_any_history(
        history):
    def statements():
        model.Session.remove()
        with counting_statements() as executed:
            call_as(history.editor, "helpdesk_stats")
        return executed

    before = statements()
    for days in range(20):
        issue = _issue(history, history.public, days, "question")
        _comment(history, issue, "editor", 1)
    after = statements()

    assert len(after) == len(before)
    # CKAN's access check reads the user twice; ours: the organizations,
    # their response targets, the times, the backlog, the weekly figures,
    # the datasets and the data requests.
    assert len(after) <= 9, "\n".join(s[:120] for s in after)
