"""IRIS self-assessment: a business answers questions under principles A to G."""
