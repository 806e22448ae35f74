"""Offers: a recruiter picks a candidate from its shortlist for a job order's position, and the worker accepts or
declines; an accepted offer lets that recruiter contract the worker (contracts learns it from the event)."""
