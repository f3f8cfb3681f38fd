"""Background jobs enqueued once the transaction that wrote their rows has
committed (notifications, forwards, webhook deliveries), and the claim each
job makes of its row.

The rows are the promise; the job only makes it quick. Enqueued after the
commit, a job never runs before its row exists, and a rolled-back change
enqueues nothing. If Redis is down then, the rows stay pending for the
sweep named (a `ckan helpdesk` command run from cron).
"""
import logging

import redis
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)

# session.info key: (job, argument, title, sweep) of this transaction.
PENDING = "helpdesk_jobs_after_commit"


def enqueue(session, job, argument, title, sweep):
    """Enqueue `job(argument)` when the session's transaction commits."""
    session.info.setdefault(PENDING, []).append(
        (job, argument, title, sweep))
    if not sa.event.contains(session, "after_commit", _enqueue_pending):
        sa.event.listen(session, "after_commit", _enqueue_pending)
        sa.event.listen(session, "after_rollback", _forget_pending)


def _enqueue_pending(session):
    unreachable = False
    for job, argument, title, sweep in session.info.pop(PENDING, []):
        if unreachable:
            continue  # no use trying the others now
        try:
            tk.enqueue_job(job, [argument], title=title)
        except (redis.exceptions.RedisError, OSError) as error:
            log.warning("Help desk jobs wait for `ckan helpdesk %s`: cannot "
                        "enqueue (%s)", sweep, error)
            unreachable = True


def _forget_pending(session):
    session.info.pop(PENDING, None)


def claim_and_attempt(statement, attempt):
    """The row `statement` selects, locked (None if another process holds
    it or it is no longer pending), after `attempt(row)` and a commit: one
    node, one job, one attempt at a time."""
    try:
        row = model.Session.scalars(
            statement.with_for_update(skip_locked=True)).one_or_none()
        if row is not None:
            attempt(row)
        model.Session.commit()
    except sa.exc.SQLAlchemyError:
        # The database went away mid-claim: nothing was recorded, the row
        # stays pending for the next run; leave the session usable.
        model.Session.rollback()
        raise
    return row
