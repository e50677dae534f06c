"""The dangerous-configuration check: services at boot, SSH, debug access, permissions, cron."""

from assay.checks.config.check import ConfigCheck

__all__ = ["ConfigCheck"]
