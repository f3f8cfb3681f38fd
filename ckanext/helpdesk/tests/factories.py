"""The help desk's factories, in CKAN's style (ckan/tests/factories.py),
next to CKAN's own so a test imports one `factories` module. An issue is
made by the action a portal makes it with, as its reporter, so validation
and auth apply; tests/conftest.py registers it as the `issue_factory`
fixture."""
import factory

from ckan.tests.factories import (  # noqa: F401 (one module for all)
    APIToken, CKANFactory, Dataset, Organization, Resource, Sysadmin, User)

from ckanext.helpdesk import model
from ckanext.helpdesk.tests.helpers import call_as


def _dataset_of_a_new_organization():
    return Dataset(owner_org=Organization()["id"])["id"]


class Issue(CKANFactory):
    """An issue reported by `user` (a user dict, a user name, or None for
    an anonymous visitor, who gives `reporter_name` and `reporter_email`)
    on a new dataset of a new organization, unless given `dataset_id` or,
    for a data request, `organization_id`; any field of
    helpdesk_issue_create may be given."""

    class Meta:
        model = model.Issue
        action = "helpdesk_issue_create"

    user = factory.LazyFunction(User)
    organization_id = None
    dataset_id = factory.Maybe(
        "organization_id", yes_declaration=None,
        no_declaration=factory.LazyFunction(_dataset_of_a_new_organization))
    category = "data-problem"
    # Numbered rather than Faker's words, which a test's search could
    # match by chance.
    title = factory.Sequence(lambda n: f"Wrong figures {n}")
    description = factory.Sequence(
        lambda n: f"Row {n} of the table does not add up.")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """As the reporter, through the action (dataset_id and
        organization_id left empty are ignored by its schema)."""
        if args:
            raise TypeError("Positional args aren't supported, use keyword "
                            "args.")
        return call_as(kwargs.pop("user"), cls._meta.action, **kwargs)
