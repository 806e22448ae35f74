"""Matching workers to job orders: the job orders contracts posts, and a ranked shortlist of candidates, every
point of its score explained, for the job order's employer and agencies."""
