"""An equivalence run as a store record, so the network view can show failed equivalence."""

import hashlib
from datetime import datetime
from typing import Any

from assay.equivalence.verdict import ReleaseVerdict, pair_json


def equivalence_record(
    result: ReleaseVerdict,
    release: tuple[str | None, str, str],
    inputs: tuple[str, str],
    checked: datetime,
) -> dict[str, Any]:
    """The store row of one run: `release` is (vendor, product, version), `inputs` the vendor's
    and the rebuilt input as given on the command line."""
    vendor, product, version = release
    key = "|".join([vendor or "", product, version, checked.isoformat(), *inputs])
    return {
        "id": "equiv-" + hashlib.sha256(key.encode()).hexdigest()[:40],
        "vendor": vendor,
        "product": product,
        "release_version": version,
        "checked": checked,
        "equivalent": result.equivalent,
        "total": len(result.pairs),
        "vendor_input": inputs[0],
        "rebuilt_input": inputs[1],
        "document": {
            "verdict": result.line(),
            "pairs": [pair_json(pair) for pair in result.pairs],
            "problems": list(result.problems),
        },
    }
