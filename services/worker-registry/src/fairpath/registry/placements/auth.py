"""Who may call what in the placements domain: every role may ask for a worker's history; which worker
it reaches, and which contracts in it, is the service's to say."""

from fairpath.common.auth import Role, roles

PlacementReader = roles(*Role)
