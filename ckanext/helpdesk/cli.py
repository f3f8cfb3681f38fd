"""`ckan helpdesk ...` commands."""
import click
import sqlalchemy as sa

from ckanext.helpdesk.notify import jobs as notify_jobs


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


def get_commands():
    return [helpdesk]
