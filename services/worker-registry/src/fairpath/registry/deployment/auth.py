"""Who may call what in the deployment domain (which placement a caller reaches is the service's: `_reach`)."""

from fairpath.common.auth import Role, roles

# The placement's parties, the worker, the operator and auditors read; the service narrows it to the placement.
DeploymentReader = roles(*Role)
# The placement's agency or employer move its steps.
DeploymentEditor = roles(Role.agency, Role.employer)
