"""`ckan helpdesk ...` commands."""
import click


@click.group(short_help="Help desk commands")
def helpdesk():
    """Commands of ckanext-helpdesk."""


def get_commands():
    return [helpdesk]
