"""Open311 tokens: what a client gets for a report held for moderation
(GeoReport's ``token``), resolved by ``GET tokens/{token}``.

A token is random (256 bits): it tells nothing about the issue, cannot be
guessed, and only the server knows which issue it stands for. Only its
SHA-256 is stored, so a copy of the table resolves nothing.
"""
from __future__ import annotations

import hashlib
import re
import secrets

import sqlalchemy as sa

import ckan.model as model

from ckanext.helpdesk.model import Open311Token

TOKEN_BYTES = 32
# What secrets.token_urlsafe(TOKEN_BYTES) gives: 43 URL-safe characters.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def new_token(issue_id: str) -> str:
    """A new token for the issue, stored (and committed)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    model.Session.add(Open311Token(token_hash=_hash(token),
                                   issue_id=issue_id))
    model.Session.commit()
    return token


def issue_id_of(token: str) -> str | None:
    """The id of the issue the token stands for; None for an unknown one."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    return model.Session.execute(
        sa.select(Open311Token.issue_id).where(
            Open311Token.token_hash == _hash(token))).scalar()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
