"""Who may call what in the reference domain: everyone reads the minimum-age table, the operator's admins keep it."""

from fairpath.common.auth import Role, roles

MinimumAgeReader = roles(*Role)
MinimumAgeKeeper = roles(Role.admin)
