"""Checks: hardening, the unsafe-function census, secrets and configuration, over the release."""
