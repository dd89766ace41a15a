"""Job leases: a cluster-wide job runs on the node holding its lease (workers/scheduler.py)."""

from __future__ import annotations

from kafana.actions.context import Services
from kafana.store import leases as leases_store


async def do_take_lease(svc: Services, name: str, now: int, ttl_ms: int) -> bool:
    """Take or renew the lease of job `name` for this node; False while another node holds it."""
    async with svc.db.write() as uow:
        return await leases_store.take(uow.session, name, svc.node_id, now, ttl_ms)


async def do_release_lease(svc: Services, name: str) -> None:
    """Give the lease up (shutting down), so another node takes the job over at its next tick."""
    async with svc.db.write() as uow:
        await leases_store.release(uow.session, name, svc.node_id)
