"""Container images found in an OCI layout or a `docker save` archive, each turned into its root
filesystem (OCI Image Format Specification: image manifest, image configuration `rootfs` and
`architecture`/`os`, layers applied in manifest order). One image fills the extraction root;
several each get a folder named after their tag (or platform, or config digest)."""

import re
from dataclasses import dataclass, field
from typing import Any

from assay.extract.base import ExtractContext, ExtractionError
from assay.extract.formats.container_blobs import BlobRef, BlobStore, MissingBlob, checked
from assay.extract.formats.container_layers import apply_layer
from assay.extract.safefs import SafeFS
from assay.model.problem import ProblemKind, ProblemLevel

UNSAFE_LABEL = re.compile(r"[^A-Za-z0-9._:@+-]+")


@dataclass(slots=True)
class Image:
    """One image: its layers, bottom first, and what is known about it."""

    layers: list[BlobRef]
    tags: list[str] = field(default_factory=list)
    config_digest: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    platform: str | None = None

    def facts(self) -> dict[str, str]:
        """What the inventory records about the image."""
        found = {"layers": str(len(self.layers))}
        if self.tags:
            found["tags"] = ", ".join(self.tags)
        if self.config_digest:
            found["config_digest"] = self.config_digest
        for key in ("architecture", "os", "variant"):
            value = self.config.get(key)
            if isinstance(value, str) and value:
                found[key] = value
        return found


def build_images(images: list[Image], store: BlobStore, fs: SafeFS, ctx: ExtractContext) -> None:
    """Write the root filesystem of every image into `fs` and record their facts."""
    if not images:
        raise ExtractionError("no container image found")
    if len(images) == 1:
        ctx.metadata.update(images[0].facts())
        apply_layers(images[0], store, fs, ctx)
        return
    ctx.metadata["images"] = str(len(images))
    for image, label in zip(images, _labels(images), strict=True):
        ctx.metadata.update({f"{label}/{key}": value for key, value in image.facts().items()})
        _build_in_folder(image, label, store, fs, ctx)


def apply_layers(image: Image, store: BlobStore, fs: SafeFS, ctx: ExtractContext) -> None:
    """Apply the image's layers in order; a missing or broken layer is recorded and skipped."""
    for ref in image.layers:
        ctx.deadline.check()
        try:
            with checked(store, ref, ctx) as reader:
                apply_layer(reader, fs, ctx, ref.label)
        except MissingBlob:
            message = f"{ref.label} is missing or unreadable; not applied"
            ctx.problem(ProblemKind.CORRUPT, message, ref.name, ProblemLevel.ERROR)


def _build_in_folder(
    image: Image, label: str, store: BlobStore, fs: SafeFS, ctx: ExtractContext
) -> None:
    if fs.mkdir(label) is None:
        return
    sub = SafeFS(fs.root / label, fs.budget, fs.ratio, fs.deadline, fs.report)
    apply_layers(image, store, sub, ctx)
    fs.modes.update({f"{label}/{rel}": mode for rel, mode in sub.modes.items()})
    fs.link_targets.update({f"{label}/{rel}": link for rel, link in sub.link_targets.items()})


def _labels(images: list[Image]) -> list[str]:
    """A distinct, path-safe folder name for each image."""
    labels: list[str] = []
    for image in images:
        label = _label(image)
        candidate, counter = label, 1
        while candidate in labels:
            counter += 1
            candidate = f"{label}-{counter}"
        labels.append(candidate)
    return labels


def _label(image: Image) -> str:
    parts = [image.tags[0]] if image.tags else []
    if image.platform:
        parts.append(image.platform)
    if not parts:
        parts.append((image.config_digest or "image").rpartition(":")[2][:12])
    label = UNSAFE_LABEL.sub("_", "_".join(parts)).lstrip(".")
    return label or "image"
