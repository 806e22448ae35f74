"""Risk: an explainable score, every point from a named factor with its evidence."""
