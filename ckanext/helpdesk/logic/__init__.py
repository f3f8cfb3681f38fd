"""Actions, auth functions, schemas and validators of the help desk."""

# Every action of logic/action.py, each with its auth function of the same
# name in logic/auth.py.
ACTIONS = [
    "helpdesk_category_list", "helpdesk_issue_create", "helpdesk_issue_show",
    "helpdesk_issue_update", "helpdesk_issue_reopen",
    "helpdesk_issue_delete", "helpdesk_issue_hide",
    "helpdesk_issue_search", "helpdesk_issue_counts",
    "helpdesk_response_time", "helpdesk_stats",
    "helpdesk_comment_create", "helpdesk_comment_update",
    "helpdesk_comment_hide", "helpdesk_comment_list", "helpdesk_event_list",
    "helpdesk_issue_vote", "helpdesk_issue_unvote",
    "helpdesk_issue_subscribe", "helpdesk_issue_unsubscribe",
    "helpdesk_issue_seen", "helpdesk_unread_count",
    "helpdesk_abuse_report_create", "helpdesk_abuse_report_list",
    "helpdesk_abuse_report_resolve", "helpdesk_abuse_report_reopen",
    "helpdesk_assignee_list",
    "helpdesk_organization_settings_show",
    "helpdesk_organization_settings_update",
]
