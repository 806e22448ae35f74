"""Workers: identity, skills and languages, encrypted personal data, consent per purpose, data-subject rights."""
