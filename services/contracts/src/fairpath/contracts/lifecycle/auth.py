"""Who may move a contract through its lifecycle; the service narrows each to the contracts that name the caller."""

from fairpath.common.auth import Role, roles

# The employer, its recruiting agencies and the operator draft, check, change, issue and complete contracts.
ContractDrafter = roles(Role.admin, Role.employer, Role.agency)
# Only the worker signs.
ContractSigner = roles(Role.worker)
# The operator's compliance officers compare the terms presented on arrival with the signed ones.
ArrivalVerifier = roles(Role.admin, Role.compliance_officer)
# The worker may end their employment, as may the employer, its recruiters and the operator.
ContractEnder = roles(Role.admin, Role.employer, Role.agency, Role.worker)
