"""The help desk's blueprints."""


def get_blueprints():
    return []
