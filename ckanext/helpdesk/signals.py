"""Signals of the help desk (the notifications build on them).

Each is sent inside the action's transaction, before it commits, so a
subscriber may add rows to ``model.Session`` that commit atomically with
the change (or roll back with it).

- ``issue_created``: sender=issue id; issue (model object), actor (User or
  None)
- ``issue_changed``: sender=issue id; issue, actor, changes ({field: (old,
  new)} among status, assignee_id, duplicate_of_id, title, description,
  hidden), comment (the Comment posted with the change, or None)
- ``comment_created``: sender=issue id; issue, comment (internal notes
  included: check ``comment.internal``), actor
- ``issue_deleted``: sender=issue id; issue (still in the session), actor

A reply posted with a change (helpdesk_issue_update's ``comment``) comes
with ``issue_changed`` only, never also as ``comment_created``.
"""
import ckan.plugins.toolkit as tk

issue_created = tk.signals.ckanext.signal("helpdesk_issue_created")
issue_changed = tk.signals.ckanext.signal("helpdesk_issue_changed")
comment_created = tk.signals.ckanext.signal("helpdesk_comment_created")
issue_deleted = tk.signals.ckanext.signal("helpdesk_issue_deleted")
