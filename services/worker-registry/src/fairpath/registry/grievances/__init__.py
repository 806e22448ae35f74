"""Grievances (IRIS G): filed by or for a worker against a business, investigated by compliance officers to a remedy."""
