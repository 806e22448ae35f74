"""Accounts: organisations, users and API keys in the gateway's database; sign-in with passwords (Argon2id),
short access tokens and rotating refresh tokens, one-time activation codes, TOTP, and single sign-on."""
