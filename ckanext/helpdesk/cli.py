"""`ckan helpdesk ...` commands."""
import datetime

import click
import sqlalchemy as sa

import ckan.plugins.toolkit as tk

from ckanext.helpdesk import publish
from ckanext.helpdesk.notify import digests
from ckanext.helpdesk.notify import jobs as notify_jobs
from ckanext.helpdesk.webhooks import delivery as webhook_delivery


@click.group(short_help="Help desk commands")
def helpdesk():
    """Commands of ckanext-helpdesk."""


@helpdesk.command("send-pending")
@click.option("--retry-now", is_flag=True,
              help="Also send the emails still waiting for their next retry "
                   "(e.g. once the mail server is fixed).")
def send_pending(retry_now):
    """Send the help desk emails that are pending and due (run from cron,
    e.g. every 5 minutes)."""
    try:
        outcomes = notify_jobs.send_pending(retry_now=retry_now)
    except sa.exc.SQLAlchemyError as error:
        raise click.ClickException(
            "The database is unavailable; the unsent emails stay pending "
            f"for the next run ({type(error).__name__}).")
    click.echo("{sent} sent, {failed} failed, {skipped} skipped".format(
        **outcomes))


@helpdesk.command("remind")
@click.option("--weekly/--no-weekly", default=None,
              help="Also write the weekly summaries (default: on Mondays).")
@click.option("--now", type=click.DateTime(
    formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]), default=None,
    help="The moment (UTC) the digests are of, e.g. to write a day that "
         "cron missed; default: now.")
def remind(weekly, now):
    """Email each organization's editors and admins the digest of its
    issues that need an answer, and on Mondays the weekly summary (run
    from cron once a day; a second run the same day sends nothing new).
    What cannot be sent now waits for `ckan helpdesk send-pending`."""
    if now is not None:
        now = now.replace(tzinfo=datetime.timezone.utc)
    try:
        claimed = digests.write(now, weekly)
        outcomes = notify_jobs.send_each(claimed)
    except sa.exc.SQLAlchemyError as error:
        raise click.ClickException(
            "The database is unavailable; run it again later "
            f"({type(error).__name__}).")
    click.echo("{written} written, {sent} sent, {failed} failed, "
               "{skipped} skipped".format(written=len(claimed), **outcomes))


@helpdesk.command("deliver-webhooks")
@click.option("--retry-now", is_flag=True,
              help="Also retry the deliveries still waiting for their next "
                   "attempt (e.g. once a receiver is back).")
def deliver_webhooks(retry_now):
    """Retry the webhook deliveries that are due (run from cron, e.g.
    every minute)."""
    outcomes = webhook_delivery.deliver_due(retry_now=retry_now)
    click.echo("{delivered} delivered, {pending} to retry, {failed} given "
               "up".format(**outcomes))


@helpdesk.command("notifications")
@click.option("--limit", default=50, show_default=True)
def notifications(limit):
    """Show the help desk emails not sent yet: pending ones (with their
    attempts and last error) and failed ones."""
    for row in notify_jobs.unsent(limit):
        click.echo("  ".join([
            row.id, row.status, row.kind, row.email,
            f"attempts={row.attempts}",
            f"next={row.next_attempt_at.isoformat(timespec='seconds')}",
            row.last_error or ""]))


@helpdesk.command("publish-stats")
@click.option("--organization",
              help="The organization (name or id) the dataset belongs to "
                   "[default: ckanext.helpdesk.publish.organization].")
@click.option("--dataset",
              help="The dataset's name "
                   "[default: ckanext.helpdesk.publish.dataset].")
def publish_stats(organization, dataset):
    """Publish the help desk's public issues and weekly figures as CSV
    resources of a dataset, created the first time and updated by every
    later run (run from cron, e.g. daily)."""
    organization = organization or tk.config.get(
        "ckanext.helpdesk.publish.organization")
    if not organization:
        raise click.UsageError(
            "Name the organization: --organization or "
            "ckanext.helpdesk.publish.organization.")
    dataset = dataset or tk.config.get("ckanext.helpdesk.publish.dataset")
    try:
        published = publish.publish_stats(organization, dataset)
    except tk.ObjectNotFound:
        raise click.ClickException(
            f"No organization {organization!r}.") from None
    except tk.ValidationError as error:
        raise click.ClickException("CKAN refused the dataset: " + "; ".join(
            f"{field}: {' '.join(map(str, messages))}"
            for field, messages in error.error_dict.items())) from None
    click.echo("Published {name} ({count} resources): {url}".format(
        name=published["name"], count=len(published["resources"]),
        url=tk.h.url_for("dataset.read", id=published["name"],
                         _external=True)))


def get_commands():
    return [helpdesk]
