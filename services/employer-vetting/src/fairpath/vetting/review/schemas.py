"""API models of reviewing a business."""

from fairpath.vetting.cases.schemas import CasePublic
from fairpath.vetting.risk.schemas import RiskAssessment


class CaseView(CasePublic):
    """A case as a compliance officer sees it: with the current risk and every factor behind it."""

    risk: RiskAssessment
    unresolved_hits: int
