"""OCI image layouts (OCI Image Format Specification v1, "Image Layout": `oci-layout`,
`index.json`, `blobs/<alg>/<hex>`), as a directory or a tar of one. The index is followed through
nested indexes to image manifests (OCI or Docker Image Manifest V2 Schema 2 media types), and each
image is unpacked as its root filesystem: config, then layers (tar, tar+gzip or tar+zstd) in
manifest order with whiteouts honoured."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assay.extract.base import ExtractContext, ExtractionError, Extractor
from assay.extract.formats.container_blobs import (
    BlobRef,
    BlobStore,
    Digest,
    looks_like_tar,
    open_store,
    read_json,
    tar_names,
)
from assay.extract.formats.container_images import Image, build_images
from assay.extract.safefs import SafeFS
from assay.model.problem import ProblemKind, ProblemLevel

MAX_NESTING = 8
INDEX_TYPES = frozenset(
    {
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    }
)
MANIFEST_TYPES = frozenset(
    {
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    }
)
CONFIG_TYPES = frozenset(
    {
        "application/vnd.oci.image.config.v1+json",
        "application/vnd.docker.container.image.v1+json",
    }
)
REF_NAMES = ("io.containerd.image.name", "org.opencontainers.image.ref.name")
REFERENCE_TYPE = "vnd.docker.reference.type"


@dataclass(frozen=True, slots=True)
class Descriptor:
    """An OCI content descriptor: what a blob is and how to check it."""

    media_type: str
    digest: Digest
    size: int | None
    annotations: dict[str, str] = field(default_factory=dict)
    platform: str | None = None

    def ref(self, what: str) -> BlobRef:
        """The blob this descriptor points at."""
        return BlobRef(self.digest.path, self.digest, self.size, f"{what} {self.digest}")


def parse_descriptor(raw: Any) -> Descriptor | None:
    """A descriptor from its JSON form, or None when it has no usable digest."""
    if not isinstance(raw, dict):
        return None
    digest = Digest.parse(raw.get("digest"))
    if digest is None:
        return None
    size = raw.get("size")
    annotations = raw.get("annotations")
    return Descriptor(
        media_type=str(raw.get("mediaType") or ""),
        digest=digest,
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        annotations={str(k): str(v) for k, v in annotations.items()}
        if isinstance(annotations, dict)
        else {},
        platform=_platform(raw.get("platform")),
    )


def _platform(raw: Any) -> str | None:
    if not isinstance(raw, dict):
        return None
    parts = [raw.get("os"), raw.get("architecture"), raw.get("variant")]
    text = "-".join(part for part in parts if isinstance(part, str) and part)
    return text or None


def _listed(document: Any, key: str) -> list[Any]:
    value = document.get(key) if isinstance(document, dict) else None
    return value if isinstance(value, list) else []


class _Walk:
    """Follows an index down to the images it names, each image once."""

    def __init__(self, store: BlobStore, ctx: ExtractContext) -> None:
        self.store = store
        self.ctx = ctx
        self.images: dict[Digest, Image] = {}
        self.visited: set[Digest] = set()

    def index(self, document: Any, tags: list[str], depth: int) -> None:
        for raw in _listed(document, "manifests"):
            descriptor = parse_descriptor(raw)
            if descriptor is None:
                self.problem("an index entry has no valid digest; skipped")
            elif descriptor.annotations.get(REFERENCE_TYPE) is None:
                own = [descriptor.annotations[k] for k in REF_NAMES if k in descriptor.annotations]
                self.entry(descriptor, tags or own[:1], depth)

    def entry(self, descriptor: Descriptor, tags: list[str], depth: int) -> None:
        known = self.images.get(descriptor.digest)
        if known is not None:
            known.tags.extend(tag for tag in tags if tag not in known.tags)
            return
        if descriptor.digest in self.visited or depth > MAX_NESTING:
            self.problem(f"index nesting is too deep or circular at {descriptor.digest}")
            return
        self.visited.add(descriptor.digest)
        try:
            document = read_json(self.store, descriptor.ref("manifest"), self.ctx)
        except ExtractionError as err:
            self.problem(str(err))
            return
        if not isinstance(document, dict):
            self.problem(f"{descriptor.digest} is not a JSON object")
            return
        media_type = descriptor.media_type or _text(document, "mediaType")
        if media_type in INDEX_TYPES or "manifests" in document:
            self.index(document, tags, depth + 1)
        elif media_type in MANIFEST_TYPES or "layers" in document:
            self.manifest(descriptor, document, tags)
        else:
            self.problem(f"{descriptor.digest} has unsupported media type {media_type!r}")

    def manifest(self, descriptor: Descriptor, document: Any, tags: list[str]) -> None:
        config = parse_descriptor(document.get("config"))
        if config is None:
            self.problem(f"manifest {descriptor.digest} has no valid config descriptor")
            return
        if config.media_type and config.media_type not in CONFIG_TYPES:
            self.ctx.metadata["skipped_artifact"] = f"{descriptor.digest} ({config.media_type})"
            return
        layers = [parse_descriptor(raw) for raw in _listed(document, "layers")]
        if None in layers:
            self.problem(f"manifest {descriptor.digest} has a layer without a valid digest")
        refs = [layer.ref("layer") for layer in layers if layer is not None]
        image = Image(refs, list(tags), str(config.digest), platform=descriptor.platform)
        image.config = self.config(config)
        self.images[descriptor.digest] = image

    def config(self, config: Descriptor) -> dict[str, Any]:
        try:
            document = read_json(self.store, config.ref("config"), self.ctx)
        except ExtractionError as err:
            self.problem(str(err))
            return {}
        return document if isinstance(document, dict) else {}

    def problem(self, message: str) -> None:
        self.ctx.problem(ProblemKind.CORRUPT, message, level=ProblemLevel.ERROR)


def _text(document: Any, key: str) -> str:
    value = document.get(key) if isinstance(document, dict) else None
    return value if isinstance(value, str) else ""


class OciExtractor(Extractor):
    """Unpacks every image of an OCI image layout into its root filesystem."""

    name = "oci"
    description = "OCI image layout, directory or tar (OCI Image Format Specification v1)"
    requires_modules = ("zstandard",)

    def identify(self, head: bytes, path: Path) -> bool:
        return looks_like_tar(head) and {"oci-layout", "index.json"} <= tar_names(path)

    def identify_dir(self, path: Path) -> bool:
        return (path / "oci-layout").is_file() and (path / "index.json").is_file()

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with open_store(src, ctx) as store:
            layout = read_json(store, BlobRef("oci-layout"), ctx)
            if not _text(layout, "imageLayoutVersion"):
                raise ExtractionError("oci-layout has no imageLayoutVersion")
            index = read_json(store, BlobRef("index.json"), ctx)
            walk = _Walk(store, ctx)
            walk.index(index, [], 0)
            build_images(list(walk.images.values()), store, fs, ctx)
