"""Who may call what in the offers domain (which offer a caller reaches is the service's)."""

from fairpath.common.auth import Role, roles

# The recruiters of a job order (its agencies and its employer) pick candidates, and withdraw what they offered.
OfferMaker = roles(Role.agency, Role.employer)
# The recruiter its own offers; the worker the offers made to them.
OfferReader = roles(Role.agency, Role.employer, Role.worker)
# Only the worker answers an offer, through their own login.
OfferAnswerer = roles(Role.worker)
