"""Who may call what for data-subject rights: the worker, their agency, or the operator acting on a request
(which worker each reaches is the service's: `_subject`)."""

from fairpath.common.auth import Role, roles

DataSubjectRightsCaller = roles(Role.worker, Role.agency, Role.admin, Role.compliance_officer)
