"""The failures of the Open311 API, each answered with the spec's error
body: ``[{"code": 400, "description": "..."}]`` / ``<errors><error>…``."""


class Open311Error(Exception):
    """One or more errors sharing an HTTP status (400, 403, 404, 405,
    429)."""

    def __init__(self, status, *descriptions, headers=None):
        super().__init__(status, descriptions)
        self.status = status
        self.descriptions = descriptions
        self.headers = headers or {}

    def as_list(self):
        return [{"code": self.status, "description": description}
                for description in self.descriptions]


def bad_request(*descriptions):
    return Open311Error(400, *descriptions)


def forbidden(description):
    return Open311Error(403, description)


def not_found(description):
    return Open311Error(404, description)
