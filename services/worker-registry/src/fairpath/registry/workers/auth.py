"""Who may call what in the workers domain (record-level reach is the service's: `view_of`, `is_owner`)."""

from fairpath.common.auth import Role, roles

# The agency that registers a worker owns the record.
WorkerRegistrar = roles(Role.agency)
# Every role may ask for a worker; how much it sees (or a 404) depends on the record.
WorkerReader = roles(*Role)
# Searches are scoped: an agency finds its own workers, an employer consenting profiles, the operator all.
WorkerSearcher = roles(Role.admin, Role.compliance_officer, Role.auditor, Role.agency, Role.employer)
# The owning agency or the worker themself change the record and the worker's consents.
WorkerRecordKeeper = roles(Role.agency, Role.worker)
