"""Email as a channel in: a reply to a notification becomes a comment by
its recipient, and an email to an organization's address opens an issue
there. Mail reaches `receive.receive()` from the MTA through `ckan
helpdesk receive-mail` (a pipe) or `ckan helpdesk mail-server` (LMTP or
SMTP, server.py); addresses.py makes and reads the addresses, parse.py
reads the messages."""
