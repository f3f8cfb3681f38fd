"""What must hold after a load run, faults or not (used by bench/load.py and
bench/faults.py):

- every write a client got a 2xx for is in the database (the ids and keys
  the load test recorded: issues, comments, votes, subscriptions);
- issue numbers are contiguous per dataset, from 1, without duplicates;
- every notification that should exist exists (issue_created to the
  organization's publisher and a confirmation to the reporter of each
  reported issue; a comment email to the publisher for each comment);
- every notification was sent, and the SMTP server's Maildir holds exactly
  one email per notification (counted by Message-ID) and no other; except
  that a sender cut off between the SMTP server's acceptance and its
  commit (PostgreSQL restarted, the process killed) sends the email again
  under the same Message-ID: such a second copy is allowed when the first
  arrived during one of the `resend_windows` (start, end) given, and
  counted apart.
"""
import collections
import email.parser
import json
import re

import psycopg2

MESSAGE_ID = re.compile(r"<helpdesk-notification-([^@>]+)@[^>]+>")


def maildir_message_ids(maildir):
    """{Message-ID: [arrival time of each copy]} of a Maildir's emails."""
    parser = email.parser.BytesHeaderParser()
    found = collections.defaultdict(list)
    for folder in ("new", "cur"):
        for path in (maildir / folder).glob("*") if (
                maildir / folder).is_dir() else []:
            with open(path, "rb") as handle:
                message_id = parser.parse(handle)["Message-ID"] or ""
            found[message_id.strip()].append(path.stat().st_mtime)
    return found


def read_writes(path):
    writes = collections.defaultdict(list)
    if path.exists():
        for line in path.read_text().splitlines():
            row = json.loads(line)
            writes[row.pop("kind")].append(row)
    return writes


def check(database_uri, writes_path, maildir, seed, resend_windows=()):
    """The list of problems found (empty: all holds), and counts."""
    writes = read_writes(writes_path)
    problems = []
    conn = psycopg2.connect(database_uri)
    with conn, conn.cursor() as cur:
        def ids(sql, *args):
            cur.execute(sql, args)
            return {tuple(row) if len(row) > 1 else row[0]
                    for row in cur.fetchall()}

        issues = ids("SELECT id FROM helpdesk_issue")
        comments = ids("SELECT id FROM helpdesk_comment")
        votes = ids("SELECT issue_id, user_id FROM helpdesk_vote")
        subscriptions = ids(
            "SELECT issue_id, user_id FROM helpdesk_subscription")
        for kind, found, key in [
                ("issue", issues, lambda w: w["id"]),
                ("comment", comments, lambda w: w["id"]),
                ("vote", votes, lambda w: (w["issue_id"], w["user_id"])),
                ("subscription", subscriptions,
                 lambda w: (w["issue_id"], w["user_id"]))]:
            missing = [w for w in writes[kind] if key(w) not in found]
            if missing:
                problems.append(f"{len(missing)} {kind}s answered 2xx are "
                                f"not in the database: {missing[:3]}")

        cur.execute("""
            SELECT dataset_id, array_agg(number ORDER BY number)
            FROM helpdesk_issue GROUP BY dataset_id""")
        for dataset_id, numbers in cur.fetchall():
            if numbers != list(range(1, len(numbers) + 1)):
                problems.append(f"issue numbers of dataset {dataset_id} are "
                                f"not 1..{len(numbers)}: {numbers}")

        notifications = {}
        cur.execute("SELECT id, issue_id, comment_id, kind, user_id, status "
                    "FROM helpdesk_notification")
        for row in cur.fetchall():
            notifications[row[0]] = row
        keys = {(n[1], n[3], n[4]) for n in notifications.values()}
        comment_keys = {(n[2], n[4]) for n in notifications.values()
                        if n[3] == "comment"}
        publisher_of = seed["publisher_of_dataset"]
        for issue in writes["issue"]:
            publisher = publisher_of[issue["dataset"]]
            for kind, user in (("issue_created", publisher),
                               ("confirmation", issue["reporter"])):
                if (issue["id"], kind, user) not in keys:
                    problems.append(f"no {kind} email to {user} for issue "
                                    f"{issue['id']}")
        dataset_of = {i["id"]: i["dataset"]
                      for i in seed["issues"] + writes["issue"]}
        for comment in writes["comment"]:
            publisher = publisher_of[dataset_of[comment["issue_id"]]]
            if (comment["id"], publisher) not in comment_keys:
                problems.append(f"no comment email to the publisher for "
                                f"comment {comment['id']}")
        unsent = [n for n in notifications.values() if n[5] != "sent"]
        if unsent:
            problems.append(f"{len(unsent)} notifications not sent: "
                            f"{unsent[:3]}")
    conn.close()

    received = maildir_message_ids(maildir)
    by_notification, resent = {}, []
    for message_id, arrivals in received.items():
        match = MESSAGE_ID.fullmatch(message_id)
        if not match or match[1] not in notifications:
            problems.append(f"{len(arrivals)} emails not from a "
                            f"notification: {message_id!r}")
            continue
        by_notification[match[1]] = arrivals
        first = min(arrivals)
        if len(arrivals) == 2 and any(start <= first <= end
                                      for start, end in resend_windows):
            resent.append(match[1])
        elif len(arrivals) > 1:
            problems.append(f"notification {match[1]} delivered "
                            f"{len(arrivals)} times")
    never = [i for i, n in notifications.items()
             if n[5] == "sent" and i not in by_notification]
    if never:
        problems.append(f"{len(never)} notifications marked sent but not "
                        f"received: {never[:3]}")
    counts = {"issues": len(issues), "comments": len(comments),
              "votes": len(votes), "subscriptions": len(subscriptions),
              "notifications": len(notifications),
              "emails": sum(map(len, received.values())),
              "resent in a fault window (same Message-ID)": len(resent),
              **{f"2xx {kind}s": len(rows) for kind, rows in writes.items()}}
    return problems, counts
