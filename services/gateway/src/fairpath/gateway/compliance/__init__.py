"""Compliance: the auditors' dossier of a business, assembled from every service's records."""
