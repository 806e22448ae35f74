"""Contract activations (durable consumer `registry-check-ins` on the contracts stream): a placement that
became active gets its post-arrival check-ins, once per contract."""

from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.events.catalogue import ContractActivated
from fairpath.common.events.consumer import Handler, Subscription
from fairpath.common.events.envelope import CloudEvent
from fairpath.common.ledger import Ledger
from fairpath.common.services import CONTRACTS
from fairpath.registry.checkins.service import schedule_check_ins
from fairpath.registry.config import RegistrySettings


def activation_handler(settings: RegistrySettings) -> Handler:
    async def on_activated(session: AsyncSession, ledger: Ledger, _: CloudEvent, payload: ContractActivated) -> None:
        await schedule_check_ins(session, ledger, payload, settings.check_in_weeks)

    return on_activated


def activations_subscription(settings: RegistrySettings) -> Subscription:
    return Subscription(
        name="registry-check-ins", stream=CONTRACTS.stream, handlers={ContractActivated: activation_handler(settings)}
    )
