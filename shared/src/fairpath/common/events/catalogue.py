"""Every event payload of the system, one model per event type and version.

Producers and consumers import these models from here and nowhere else.
No payload carries personal data: workers are named by id only.
"""

import uuid

from fairpath.common.events.envelope import EventPayload


class BusinessRegistered(EventPayload):
    subject = "vetting.business.registered"

    business_id: uuid.UUID
    kind: str
    legal_name: str
    country: str
    sector: str | None = None
    status: str
    organization_id: uuid.UUID | None = None


CATALOGUE: dict[str, type[EventPayload]] = {
    model.event_type(): model for model in EventPayload.__subclasses__()
}
