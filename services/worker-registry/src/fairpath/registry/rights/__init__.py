"""Data-subject rights: the worker's whole record as JSON, and erasure that keeps the compliance facts under a pseudonym."""
