"""Who may call what for data-subject rights: the worker, their agency, or the operator acting on a request
(which worker each reaches is the service's: `_subject`)."""

from fairpath.common.auth import Role, roles

# The worker's whole record goes to those who see it whole (design.md, "What each role sees of a worker"): the
# worker, their registering agency, or a compliance officer acting on a request. An admin sees a worker only
# pseudonymously, an employer a profile, an auditor a pseudonymous record: none of them exports it.
WorkerExporter = roles(Role.worker, Role.agency, Role.compliance_officer)
# Erasure is the worker's own right: the worker, or the operator on the worker's recorded request; never an agency.
ErasureRequester = roles(Role.worker, Role.admin, Role.compliance_officer)
