"""The portal's cookie sessions: each is tied to the accounts' session (`UserSession`) it signed in with, so
ending that one (sign-out, a disabled user, a reset) ends the portal's too. The cookie's token is stored only
as its SHA-256 digest."""

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Uuid
from sqlmodel import Field

from fairpath.common.db import UtcDateTime
from fairpath.gateway.db import GatewayModel


class PortalSession(GatewayModel, table=True):
    __tablename__ = "portal_session"

    digest: str = Field(primary_key=True, max_length=64)
    user_session_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("user_session.id"), nullable=False, index=True)
    )
    # The token every form of this session carries (a random value, compared in constant time).
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
