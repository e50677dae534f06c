"""`assay equiv --save`: keep a run's verdicts in the evaluation store under the release's
vendor, product and version, for the network view's "failed equivalence"."""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from assay.cli.errors import UsageError
from assay.cli.store_options import open_store
from assay.equivalence.record import equivalence_record
from assay.equivalence.verdict import ReleaseVerdict

if TYPE_CHECKING:  # SQLAlchemy is imported only when a store is used
    from assay.store import EvaluationStore


@dataclass(frozen=True, slots=True)
class SaveRequest:
    """Where and under which release to save a run; `store` None: not saved."""

    store: "EvaluationStore | None"
    vendor: str | None
    product: str
    version: str


def save_request(
    url: str | None, save: bool, vendor: str | None, product: str | None, version: str | None
) -> SaveRequest | None:
    """The checked --store/--save options, the store opened now so a bad URL fails first."""
    if url is None and not save:
        return None
    if not product or not version:
        raise UsageError("--save/--store need --product and --release-version (the release)")
    return SaveRequest(open_store(url, save), vendor, product, version)


def save_run(request: SaveRequest, result: ReleaseVerdict, inputs: tuple[Path, Path]) -> str | None:
    """Save a complete run and return its id; an incomplete one (a partial verdict is no
    verdict) is not saved: None."""
    from assay.store import StoreError

    store = request.store
    assert store is not None
    try:
        if result.problems:
            return None
        record = equivalence_record(
            result,
            (request.vendor, request.product, request.version),
            (str(inputs[0]), str(inputs[1])),
            datetime.now(UTC).replace(microsecond=0),
        )
        return store.save_equivalence(record)
    except StoreError as err:
        raise UsageError(str(err)) from err
    finally:
        store.close()
