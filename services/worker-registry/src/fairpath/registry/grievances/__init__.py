"""Grievances (IRIS G): filed by or for a worker against a business, investigated by compliance officers to a
remedy; and retaliation, a contract terminated soon after the worker's grievance (the contract-events consumer)."""
