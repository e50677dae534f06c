"""`assay doctor`: the external tools and Python libraries each format needs, and which are here."""

import importlib.util
import shutil
from typing import Any

from assay.plugins import extractors


def doctor_rows() -> list[dict[str, Any]]:
    """One row per registered extractor: its needs and which of them are missing."""
    rows = []
    for extractor in extractors():
        tools = list(extractor.requires_tools)
        modules = list(getattr(extractor, "requires_modules", ()))
        missing = [t for t in tools if shutil.which(t) is None]
        missing += [m for m in modules if importlib.util.find_spec(m) is None]
        rows.append(
            {
                "format": extractor.name,
                "description": extractor.description,
                "needs": tools + [f"python:{m}" for m in modules],
                "missing": missing,
                "ok": not missing,
            }
        )
    return rows
