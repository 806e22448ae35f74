"""Identity: who the caller is (API keys for software, passwords and access tokens for people)."""
