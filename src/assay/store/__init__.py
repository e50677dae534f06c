"""The store of evaluations: every saved scan of a release, for the trend across releases."""

from assay.store.store import EvaluationStore, StoreError
from assay.store.url import default_store_url

__all__ = ["EvaluationStore", "StoreError", "default_store_url"]
