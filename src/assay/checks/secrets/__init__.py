"""The secrets check: keys, certificates, password hashes and credentials, always redacted."""

from assay.checks.secrets.check import SecretsCheck

__all__ = ["SecretsCheck"]
