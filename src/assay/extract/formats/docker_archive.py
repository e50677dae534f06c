"""`docker save` archives (Docker Image Specification v1.2, "combined image JSON + filesystem
changeset format"): `manifest.json` lists each image's Config, RepoTags and Layers, which are
legacy `<id>/layer.tar` members or, since Docker 25, blobs of an OCI image layout. Each image is
unpacked as its root filesystem, layers in manifest order with whiteouts honoured."""

import json
import re
from pathlib import Path
from typing import Any

from assay.extract.base import ExtractContext, ExtractionError, Extractor
from assay.extract.formats.container_blobs import (
    JSON_LIMIT,
    BlobRef,
    BlobStore,
    Digest,
    clean_name,
    looks_like_tar,
    open_store,
    read_json,
    tar_names,
)
from assay.extract.formats.container_images import Image, build_images
from assay.extract.safefs import SafeFS
from assay.model.problem import ProblemKind, ProblemLevel

MANIFEST = "manifest.json"
NAMED_BY_DIGEST = re.compile(r"(?:blobs/(sha256|sha512)/)?([0-9a-f]{64,128})(?:\.json)?")


def digest_in_name(name: str) -> Digest | None:
    """The digest a member is named after (`<hex>.json`, `blobs/sha256/<hex>`), if any."""
    match = NAMED_BY_DIGEST.fullmatch(clean_name(name) or "")
    if match is None:
        return None
    return Digest.parse(f"{match[1] or 'sha256'}:{match[2]}")


def image_entries(document: Any) -> list[dict[str, Any]]:
    """The image entries of a manifest.json: objects with a list of Layers."""
    if not isinstance(document, list):
        return []
    return [e for e in document if isinstance(e, dict) and isinstance(e.get("Layers"), list)]


def _is_layer_name(name: str) -> bool:
    return name.endswith("/layer.tar") or name.startswith("blobs/")


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


class DockerArchiveExtractor(Extractor):
    """Unpacks every image of a `docker save` archive into its root filesystem."""

    name = "docker-archive"
    description = "docker save archive (Docker Image Specification v1.2, legacy or OCI-based)"
    requires_modules = ("zstandard",)

    def identify(self, head: bytes, path: Path) -> bool:
        if not looks_like_tar(head):
            return False
        names = tar_names(path)
        return MANIFEST in names and any(_is_layer_name(name) for name in names)

    def identify_dir(self, path: Path) -> bool:
        manifest = path / MANIFEST
        try:
            if not manifest.is_file() or manifest.stat().st_size > JSON_LIMIT:
                return False
            return bool(image_entries(json.loads(manifest.read_bytes())))
        except (OSError, ValueError, RecursionError):
            return False

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with open_store(src, ctx) as store:
            entries = image_entries(read_json(store, BlobRef(MANIFEST), ctx))
            if not entries:
                raise ExtractionError(f"{MANIFEST} lists no image")
            images = [_image(entry, store, ctx) for entry in entries]
            build_images(images, store, fs, ctx)


def _image(entry: dict[str, Any], store: BlobStore, ctx: ExtractContext) -> Image:
    config_name = entry.get("Config")
    config_digest = digest_in_name(config_name) if isinstance(config_name, str) else None
    config: dict[str, Any] = {}
    if isinstance(config_name, str):
        config = _config(
            store, BlobRef(config_name, config_digest, what=f"config {config_name}"), ctx
        )
    rootfs = config.get("rootfs")
    diff_ids = _strings(rootfs.get("diff_ids")) if isinstance(rootfs, dict) else []
    layers = []
    for position, name in enumerate(entry["Layers"]):
        if not isinstance(name, str):
            _problem(ctx, f"layer {position + 1} of {MANIFEST} is not a file name; skipped")
            continue
        declared = diff_ids[position] if position < len(diff_ids) else None
        digest = digest_in_name(name) or Digest.parse(declared)
        layers.append(BlobRef(name, digest, what=f"layer {position + 1} {name}"))
    tags = _strings(entry.get("RepoTags"))
    return Image(layers, tags, str(config_digest) if config_digest else None, config)


def _config(store: BlobStore, ref: BlobRef, ctx: ExtractContext) -> dict[str, Any]:
    try:
        document = read_json(store, ref, ctx)
    except ExtractionError as err:
        _problem(ctx, str(err))
        return {}
    return document if isinstance(document, dict) else {}


def _problem(ctx: ExtractContext, message: str) -> None:
    ctx.problem(ProblemKind.CORRUPT, message, level=ProblemLevel.ERROR)
