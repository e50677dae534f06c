"""Container images built by code: layer tars, `docker save` archives (legacy and Docker 25+) and
OCI image layouts (directory or tar), with whiteouts, opaque directories and overwrites."""

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

import zstandard

from tests.factories.files import SAMPLE_FILES, sha256

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_TYPES = {
    "tar": "application/vnd.oci.image.layer.v1.tar",
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
}
REF_NAME = "org.opencontainers.image.ref.name"
TAG = "example/router:1.0"
NEW_INDEX = b"<html><body>admin v2</body></html>\n"


@dataclass(frozen=True)
class Entry:
    """One layer tar member: a file (data), a directory (data None) or a symlink (link)."""

    name: str
    data: bytes | None = None
    link: str | None = None
    mode: int = 0o644


def _base_layer() -> list[Entry]:
    entries = [Entry(name, data) for name, data in sorted(SAMPLE_FILES.items())]
    return [
        *entries,
        Entry("bin/busybox", b"busybox binary\n", mode=0o755),
        Entry("bin/sh", link="/bin/busybox"),
        Entry("opt/app/old.conf", b"old=1\n"),
        Entry("opt/app/sub/x.dat", b"lower x\n"),
    ]


def _adding_layer() -> list[Entry]:
    return [
        Entry("usr/bin/tool", b"tool v1\n", mode=0o755),
        Entry("etc/motd", b"hello\n"),
        Entry("opt/app/plugin.so", b"\x7fELF plugin"),
        Entry("var/log", link="/tmp"),
    ]


def _changing_layer(opaque_first: bool) -> list[Entry]:
    opaque = Entry("opt/app/.wh..wh..opq", b"")
    readded = [Entry("opt/app/new.conf", b"new=2\n"), Entry("opt/app/sub/y.dat", b"upper y\n")]
    ordered = [opaque, *readded] if opaque_first else [*readded, opaque]
    return [
        Entry("etc/.wh.banner.txt", b""),
        Entry("opt/app/"),
        *ordered,
        Entry("www/index.html", NEW_INDEX),
        Entry("var/log/"),
        Entry("var/log/messages", b"boot ok\n"),
    ]


def image_layers(opaque_first: bool = True) -> list[list[Entry]]:
    """The three layers of the test image: a base, one adding files, one deleting, making a
    directory opaque, replacing a symlink by a directory and overwriting a file."""
    return [_base_layer(), _adding_layer(), _changing_layer(opaque_first)]


def expected_rootfs(prefix: str = "/") -> dict[str, str]:
    """In-container path → sha256 (or symlink:TARGET) of the test image's root filesystem."""
    files = {name: sha256(data) for name, data in SAMPLE_FILES.items()}
    del files["etc/banner.txt"]
    files["www/index.html"] = sha256(NEW_INDEX)
    files.update(
        {
            "bin/busybox": sha256(b"busybox binary\n"),
            "bin/sh": "symlink:/bin/busybox",
            "usr/bin/tool": sha256(b"tool v1\n"),
            "etc/motd": sha256(b"hello\n"),
            "opt/app/new.conf": sha256(b"new=2\n"),
            "opt/app/sub/y.dat": sha256(b"upper y\n"),
            "var/log/messages": sha256(b"boot ok\n"),
        }
    )
    return {prefix + name: value for name, value in files.items()}


# -- tars ----------------------------------------------------------------------------------------


def tar_bytes(entries: list[Entry]) -> bytes:
    """A deterministic tar of `entries`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for entry in entries:
            info = tarfile.TarInfo(entry.name)
            info.mode, info.mtime = entry.mode, 0
            if entry.link is not None:
                info.type, info.linkname = tarfile.SYMTYPE, entry.link
                archive.addfile(info)
            elif entry.data is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                archive.addfile(info)
            else:
                info.size = len(entry.data)
                archive.addfile(info, io.BytesIO(entry.data))
    return buffer.getvalue()


def files_tar(files: dict[str, bytes]) -> bytes:
    """A tar holding `files`, in order."""
    return tar_bytes([Entry(name, data) for name, data in files.items()])


def compress(data: bytes, how: str) -> bytes:
    """`data` as a layer blob compressed with `how` (tar, gzip or zstd)."""
    if how == "gzip":
        return gzip.compress(data, mtime=0)
    if how == "zstd":
        return zstandard.ZstdCompressor().compress(data)
    return data


def digest(data: bytes) -> str:
    """`sha256:<hex>` of `data`."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def config_json(layers: list[bytes], arch: str = "arm64") -> bytes:
    """An image configuration for uncompressed `layers`."""
    config = {
        "architecture": arch,
        "os": "linux",
        "config": {"Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": [digest(layer) for layer in layers]},
    }
    return json.dumps(config, sort_keys=True).encode()


# -- docker save ---------------------------------------------------------------------------------


def docker_save(
    layers: list[bytes], tags: tuple[str, ...] = (TAG,), declared: list[bytes] | None = None
) -> bytes:
    """A legacy (before Docker 25) `docker save` tarball of uncompressed layer tars; a repeated
    layer is a symlink to its first copy, as docker writes it. The config's diff_ids are those of
    `declared` when given (to build a damaged archive)."""
    config = config_json(declared or layers)
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    entries: list[Entry] = []
    names: list[str] = []
    first: dict[bytes, str] = {}
    for position, layer in enumerate(layers):
        layer_id = hashlib.sha256(f"{position}".encode() + layer).hexdigest()
        entries.append(Entry(f"{layer_id}/VERSION", b"1.0"))
        entries.append(Entry(f"{layer_id}/json", json.dumps({"id": layer_id}).encode()))
        if layer in first:
            entries.append(Entry(f"{layer_id}/layer.tar", link=f"../{first[layer]}/layer.tar"))
        else:
            entries.append(Entry(f"{layer_id}/layer.tar", layer))
            first[layer] = layer_id
        names.append(f"{layer_id}/layer.tar")
    entries.append(Entry(config_name, config))
    manifest = [{"Config": config_name, "RepoTags": list(tags), "Layers": names}]
    entries.append(Entry("manifest.json", json.dumps(manifest).encode()))
    return tar_bytes(entries)


def docker_save_oci(layers: list[bytes], tags: tuple[str, ...] = (TAG,)) -> bytes:
    """A Docker 25+ `docker save` tarball: an OCI layout plus manifest.json."""
    blobs, manifest_digest = _oci_blobs(layers, ["tar"] * len(layers))
    manifest_doc = json.loads(blobs[manifest_digest])
    config_path = _blob_path(manifest_doc["config"]["digest"])
    layer_paths = [_blob_path(layer["digest"]) for layer in manifest_doc["layers"]]
    members = _layout_members(blobs, _index([_descriptor(OCI_MANIFEST, blobs, manifest_digest)]))
    entry = {"Config": config_path, "RepoTags": list(tags), "Layers": layer_paths}
    members["manifest.json"] = json.dumps([entry]).encode()
    return files_tar(members)


# -- OCI image layouts ---------------------------------------------------------------------------


def _blob_path(text: str) -> str:
    return "blobs/" + text.replace(":", "/")


def _descriptor(
    media_type: str, blobs: dict[str, bytes], key: str, **extra: object
) -> dict[str, object]:
    return {"mediaType": media_type, "digest": key, "size": len(blobs[key]), **extra}


def _index(manifests: list[dict[str, object]]) -> bytes:
    document = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}
    return json.dumps(document).encode()


def _oci_blobs(
    layers: list[bytes], compressions: list[str], arch: str = "arm64"
) -> tuple[dict[str, bytes], str]:
    """Blobs of one image (config, layers, manifest) by digest, and the manifest's digest."""
    blobs: dict[str, bytes] = {}
    config = config_json(layers, arch)
    blobs[digest(config)] = config
    descriptors = []
    for layer, how in zip(layers, compressions, strict=True):
        blob = compress(layer, how)
        blobs[digest(blob)] = blob
        descriptors.append(_descriptor(LAYER_TYPES[how], blobs, digest(blob)))
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": _descriptor(OCI_CONFIG, blobs, digest(config)),
        "layers": descriptors,
    }
    data = json.dumps(manifest).encode()
    blobs[digest(data)] = data
    return blobs, digest(data)


def _layout_members(blobs: dict[str, bytes], index: bytes) -> dict[str, bytes]:
    members = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}', "index.json": index}
    members.update({_blob_path(key): data for key, data in sorted(blobs.items())})
    return members


def oci_layout(
    layers: list[bytes], compressions: list[str], nested: bool = False, tag: str = "1.0"
) -> dict[str, bytes]:
    """Files of an OCI image layout of one image; with `nested`, index.json points at an image
    index that points at the manifest."""
    blobs, manifest_digest = _oci_blobs(layers, compressions)
    manifest = _descriptor(OCI_MANIFEST, blobs, manifest_digest)
    if nested:
        inner = _index([manifest])
        blobs[digest(inner)] = inner
        manifest = _descriptor(OCI_INDEX, blobs, digest(inner))
    manifest["annotations"] = {REF_NAME: tag}
    return _layout_members(blobs, _index([manifest]))


def multi_platform_layout(layers: list[bytes], tag: str = "1.0") -> dict[str, bytes]:
    """An OCI layout whose tag names an index of two platform images (amd64 and arm64)."""
    blobs: dict[str, bytes] = {}
    platform_manifests = []
    for arch in ("amd64", "arm64"):
        image_blobs, manifest_digest = _oci_blobs(layers, ["gzip"] * len(layers), arch)
        blobs.update(image_blobs)
        platform = {"os": "linux", "architecture": arch}
        platform_manifests.append(
            _descriptor(OCI_MANIFEST, blobs, manifest_digest, platform=platform)
        )
    inner = _index(platform_manifests)
    blobs[digest(inner)] = inner
    top = _descriptor(OCI_INDEX, blobs, digest(inner), annotations={REF_NAME: tag})
    return _layout_members(blobs, _index([top]))


def write_layout(root: Path, members: dict[str, bytes]) -> Path:
    """Write layout files under the directory `root`; return it."""
    for name, data in members.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root
