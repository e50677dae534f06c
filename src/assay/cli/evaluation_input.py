"""Reading a saved `evaluation.json` given on the command line (`report`, `diff`, `policy check`,
`vex export`): one reader, one set of one-line errors."""

import json
from pathlib import Path
from typing import Any

from assay.cli.errors import UsageError

EVALUATION_SCHEMA = "https://assay.dev/schemas/evaluation"
SUPPORTED_MAJOR = "1"
REQUIRED_FIELDS = ("schema_version", "tool", "release", "summary", "findings", "vulnerabilities")


def read_evaluation(path: Path) -> dict[str, Any]:
    """The evaluation document in `path`; anything else is a usage error."""
    try:
        text = path.read_bytes()
    except FileNotFoundError as err:
        raise UsageError(f"no such file: {path} (missing)") from err
    except IsADirectoryError as err:
        raise UsageError(f"{path} is a directory; give its evaluation.json") from err
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err.strerror}") from err
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as err:
        message = f"{path} is not JSON (not valid JSON: {err})"
        raise UsageError(message.replace("\n", " ")) from err
    check_evaluation(document, path)
    return dict(document)


def check_evaluation(document: Any, path: Path) -> None:
    """Raise a usage error unless `document` is an assay evaluation this version can read."""
    if not isinstance(document, dict) or document.get("schema") != EVALUATION_SCHEMA:
        raise UsageError(f"{path} is not an assay evaluation.json (no schema {EVALUATION_SCHEMA})")
    missing = [name for name in REQUIRED_FIELDS if name not in document]
    if missing:
        raise UsageError(f"{path} is not a complete evaluation: missing {', '.join(missing)}")
    major = str(document["schema_version"]).split(".", 1)[0]
    if major != SUPPORTED_MAJOR:
        raise UsageError(
            f"{path} has evaluation format {document['schema_version']}; "
            f"this assay reads {SUPPORTED_MAJOR}.x"
        )
