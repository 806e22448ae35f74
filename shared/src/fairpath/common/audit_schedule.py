"""Each service's scheduled audit work: sign a checkpoint of its tree, prune expired entries.

Intervals are settings (FAIRPATH_AUDIT_CHECKPOINT_INTERVAL_SECONDS, FAIRPATH_AUDIT_PRUNE_INTERVAL_SECONDS;
0 turns one off); the first run comes one interval after start. Safe with several replicas: a checkpoint of a
size already signed by the key is not signed again, and the prune claims its rows.
"""

import contextlib
import logging
from contextlib import AsyncExitStack

from fastapi import FastAPI

from fairpath.common.audit_checkpoints import EmptyChain, sign_checkpoint
from fairpath.common.audit_retention import RetentionPolicy, prune_expired
from fairpath.common.config import ServiceSettings
from fairpath.common.tasks import start_repeating

log = logging.getLogger("fairpath.audit")


def retention_policy(settings: ServiceSettings) -> RetentionPolicy:
    common = settings.common
    return RetentionPolicy(common.audit_retention_days, dict(common.audit_retention_days_by_record))


async def start_audit_schedule(app: FastAPI, stack: AsyncExitStack) -> None:
    settings: ServiceSettings = app.state.settings
    database, chain = app.state.database, app.state.ledger.audit

    async def checkpoint() -> None:
        with contextlib.suppress(EmptyChain):
            signed, new = await sign_checkpoint(database, chain, app.state.audit_signer)
            if new:
                log.info("audit checkpoint signed", extra={"tree_size": signed.tree_size, "key_id": signed.key_id})

    async def prune() -> None:
        scope = getattr(app.state, "audit_hold_scope", ())
        removed = await prune_expired(database, chain, retention_policy(settings), scope=scope)
        if removed:
            log.info("expired audit entries pruned", extra={"removed": removed})

    for name, interval, job in (
        ("audit-checkpoint", settings.common.audit_checkpoint_interval_seconds, checkpoint),
        ("audit-prune", settings.common.audit_prune_interval_seconds, prune),
    ):
        if interval:
            start_repeating(stack, job, every=interval, name=name, wait_first=True)
