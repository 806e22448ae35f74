"""Pre-departure orientation: sessions an agency holds (in a language, on a shipped list of topics), who
attended as the agency records it, and each worker's own confirmation; a worker departs only after it."""
