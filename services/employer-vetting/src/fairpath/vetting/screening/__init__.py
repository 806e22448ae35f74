"""Screening businesses against every watchlist: candidate retrieval, logic-v2 scores, hits and their resolution."""
