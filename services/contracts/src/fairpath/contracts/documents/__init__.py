"""Contract documents in the worker's language: templates as data, HTML and PDF rendering."""
