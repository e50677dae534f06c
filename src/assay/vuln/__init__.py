"""Vulnerability data: the offline database, its importers, version schemes and matching."""
