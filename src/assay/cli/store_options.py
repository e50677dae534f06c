"""The store parts of `assay scan`: `--store URL` / `--save` and the release's vendor, product and
version (`--vendor`, `--product`, `--release-version`) the store files the evaluation under."""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assay.cli.errors import UsageError

if TYPE_CHECKING:  # SQLAlchemy is imported only when a scan uses a store
    from assay.store import EvaluationStore

StoreUrl = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Save the evaluation into this store: sqlite:///PATH, "
        "postgresql://USER:PASSWORD@HOST/DB or a file path (see --save for the default store).",
    ),
]
SaveFlag = Annotated[
    bool,
    typer.Option(
        "--save",
        help="Save the evaluation into the default store (a SQLite file in your data folder).",
    ),
]
Vendor = Annotated[str | None, typer.Option("--vendor", help="The release's vendor.")]
Product = Annotated[
    str | None,
    typer.Option("--product", help="The release's product (`assay history PRODUCT` groups by it)."),
]
ReleaseVersion = Annotated[
    str | None, typer.Option("--release-version", help="The release's version, e.g. 4.2.1.")
]


def open_store(url: str | None, save: bool) -> "EvaluationStore | None":
    """The store `--store`/`--save` ask for (opened and migrated now, so a bad URL fails before
    the scan), or None."""
    if url is None and not save:
        return None
    from assay.store import EvaluationStore, StoreError

    try:
        return EvaluationStore(url)
    except StoreError as err:
        raise UsageError(str(err)) from err


def save_evaluation(store: "EvaluationStore", document: dict[str, Any], out_dir: Path) -> str:
    """Save the document, then put the product's trend into it as `history` and rewrite
    OUTPUT/evaluation.json with it, so the reports written after this can chart the trend."""
    from assay.store import StoreError

    try:
        key = store.save(document)
        document["history"] = store.history_for(document)
    except StoreError as err:
        raise UsageError(str(err)) from err
    finally:
        store.close()
    text = json.dumps(document, indent=2, ensure_ascii=False)
    (out_dir / "evaluation.json").write_bytes(text.encode("utf-8") + b"\n")
    return key
