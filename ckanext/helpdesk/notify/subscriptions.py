"""Signal subscriptions: how the help desk reacts to events."""


def get_subscriptions():
    return {}
