"""Businesses: the employers and recruitment agencies that are vetted."""
