"""Who may read a business's part of the compliance dossier: the auditors and the operator's compliance officers."""

from fairpath.common.auth import Role, roles

DossierReader = roles(Role.auditor, Role.compliance_officer)
