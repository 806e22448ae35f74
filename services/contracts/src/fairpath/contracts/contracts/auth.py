"""Who may read contracts: every role, each within its reach (the service decides which records that is)."""

from fairpath.common.auth import Role, roles

# The parties their own contracts, the worker theirs, operators and auditors every one.
ContractReader = roles(*Role)
