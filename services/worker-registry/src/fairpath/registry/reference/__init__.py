"""Operator reference tables of the registry: the minimum age of recruitment."""
