"""Who may read a compliance dossier: the auditors and the operator's compliance officers (design.md's roles)."""

from fairpath.common.auth import Role, roles

DossierReader = roles(Role.auditor, Role.compliance_officer)
