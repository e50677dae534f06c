"""FIT images (U-Boot Flattened Image Tree, U-Boot's `doc/usage/fit/source_file_format.rst`): a
flattened devicetree (Devicetree Specification v0.4, chapter 5, "Flattened Devicetree (DTB)
Format") whose /images node holds every image's bytes in its `data` property, or outside the
tree at `data-offset` (counted from the end of the tree, aligned to 4 bytes) or `data-position`
(counted from the start of the FIT), `data-size` bytes long.

The tree is walked here: the format is a header and five tokens, and no maintained PyPI library
reads it (`fdt` is unmaintained, `pylibfdt` needs a SWIG build)."""

import hashlib
import mmap
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.formats.uimage import COMPRESSION_SUFFIXES
from assay.extract.safefs import SafeFS
from assay.model.problem import ProblemKind, ProblemLevel

FDT_MAGIC = b"\xd0\x0d\xfe\xed"
HEADER = struct.Struct(">10I")
U32 = struct.Struct(">I")
BEGIN_NODE, END_NODE, PROP, NOP, END = 1, 2, 3, 4, 9
MAX_DEPTH = 64
MAX_NAME = 1024
CHUNK = 1024 * 1024
IMAGE_FIELDS = ("description", "type", "arch", "os", "compression")
ADDRESS_FIELDS = ("load", "entry")


class FdtError(ValueError):
    """The bytes are not a well-formed flattened devicetree."""


@dataclass(slots=True)
class Node:
    """A devicetree node; property values are (offset, length) spans of the blob."""

    name: str
    props: dict[str, tuple[int, int]] = field(default_factory=dict)
    children: list["Node"] = field(default_factory=list)

    def child(self, name: str) -> "Node | None":
        """The first child node called `name`."""
        return next((c for c in self.children if c.name == name), None)


@dataclass(slots=True)
class FlatTree:
    """A parsed flattened devicetree starting at `start` of `data`."""

    data: Blob
    start: int
    total: int
    root: Node

    def value(self, node: Node, prop: str) -> bytes | None:
        """The raw value of a property."""
        span = node.props.get(prop)
        return None if span is None else bytes(self.data[span[0] : span[0] + span[1]])

    def text(self, node: Node, prop: str) -> str | None:
        """A string property, without its terminating NUL."""
        raw = self.value(node, prop)
        return None if raw is None else raw.split(b"\x00", 1)[0].decode("utf-8", "replace")

    def number(self, node: Node, prop: str) -> int | None:
        """A one- or two-cell integer property."""
        raw = self.value(node, prop)
        if raw is None or len(raw) not in (4, 8):
            return None
        return int.from_bytes(raw, "big")

    def images(self) -> Node | None:
        """The /images node, present only in a FIT."""
        return self.root.child("images")

    def data_span(self, node: Node) -> tuple[int, int] | None:
        """Where an image node's bytes are: embedded, or after the tree."""
        if "data" in node.props:
            return node.props["data"]
        size = self.number(node, "data-size")
        if size is None:
            return None
        position = self.number(node, "data-position")
        if position is not None:
            return self.start + position, size
        offset = self.number(node, "data-offset")
        if offset is not None:
            return self.start + _align(self.total) + offset, size
        return None


def _align(value: int) -> int:
    return (value + 3) & ~3


def _cstring(data: Blob, position: int, end: int) -> tuple[str, int]:
    """The NUL-terminated string at `position` and the offset just past its NUL."""
    window = bytes(data[position : min(end, position + MAX_NAME)])
    nul = window.find(b"\x00")
    if nul < 0:
        raise FdtError(f"unterminated name at 0x{position:x}")
    return window[:nul].decode("utf-8", "replace"), position + nul + 1


def parse_fdt(data: Blob, start: int) -> FlatTree:
    """Parse the devicetree at `start`; raise FdtError when it is malformed or truncated."""
    if start + HEADER.size > len(data) or bytes(data[start : start + 4]) != FDT_MAGIC:
        raise FdtError("no devicetree magic")
    _, total, off_struct, off_strings, _, version, _, _, size_strings, size_struct = (
        HEADER.unpack_from(data, start)
    )
    if version < 16 or start + total > len(data):
        raise FdtError(f"devicetree version {version} or size {total} is not usable")
    struct_end = off_struct + size_struct if version >= 17 else total
    strings = (start + off_strings, start + min(off_strings + size_strings, total))
    if not HEADER.size <= off_struct <= struct_end <= total or off_strings > total:
        raise FdtError("devicetree blocks lie outside the tree")
    root = _walk(_Cursor(data, start), start + off_struct, start + struct_end, strings)
    return FlatTree(data, start, total, root)


@dataclass(frozen=True, slots=True)
class _Cursor:
    """The blob being walked and the offset its 4-byte alignment is counted from."""

    data: Blob
    base: int

    def align(self, position: int) -> int:
        return self.base + _align(position - self.base)


def _walk(cursor: _Cursor, position: int, end: int, strings: tuple[int, int]) -> Node:
    stack: list[Node] = []
    roots: list[Node] = []
    while position + 4 <= end:
        (token,) = U32.unpack_from(cursor.data, position)
        position += 4
        if token == BEGIN_NODE:
            position = _begin_node(cursor, position, end, stack, roots)
        elif token == PROP:
            position = _property(cursor, position, end, strings, stack)
        elif token == END_NODE:
            if not stack:
                raise FdtError("unbalanced end of node")
            stack.pop()
        elif token == END:
            break
        elif token != NOP:
            raise FdtError(f"unknown token {token} at 0x{position - 4:x}")
    if len(roots) != 1 or stack:
        raise FdtError("devicetree structure is incomplete")
    return roots[0]


def _begin_node(
    cursor: _Cursor, position: int, end: int, stack: list[Node], roots: list[Node]
) -> int:
    name, after = _cstring(cursor.data, position, end)
    node = Node(name)
    if stack:
        stack[-1].children.append(node)
    elif roots:
        raise FdtError("second root node")
    else:
        roots.append(node)
    if len(stack) >= MAX_DEPTH:
        raise FdtError("devicetree nests too deep")
    stack.append(node)
    return cursor.align(after)


def _property(
    cursor: _Cursor, position: int, end: int, strings: tuple[int, int], stack: list[Node]
) -> int:
    if position + 8 > end or not stack:
        raise FdtError(f"property outside a node at 0x{position:x}")
    length, name_offset = struct.unpack_from(">II", cursor.data, position)
    value = position + 8
    if value + length > end or strings[0] + name_offset >= strings[1]:
        raise FdtError(f"property at 0x{position:x} runs out of its block")
    name, _ = _cstring(cursor.data, strings[0] + name_offset, strings[1])
    stack[-1].props[name] = (value, length)
    return cursor.align(value + length)


def fit_length(data: Blob, start: int) -> int | None:
    """Bytes a FIT at `start` spans, external image data and the padding mkimage aligns it with
    included; None if it is not a FIT."""
    try:
        tree = parse_fdt(data, start)
    except FdtError:
        return None
    images = tree.images()
    if images is None:
        return None
    end = start + tree.total
    for node in images.children:
        span = tree.data_span(node)
        if span is not None:
            end = max(end, span[0] + span[1])
    return _align(end - start)


class FitExtractor(Extractor):
    """Writes each image of a FIT as a member named after its node, with its compression's
    suffix; plain devicetree blobs are not claimed."""

    name = "fit"
    description = "U-Boot FIT image (flattened image tree)"
    signatures = (Signature(FDT_MAGIC),)
    suffixes = (".itb", ".fit")

    def identify(self, head: bytes, path: Path) -> bool:
        if head[:4] != FDT_MAGIC:
            return False
        with (
            open(path, "rb") as handle,
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data,
        ):
            return fit_length(data, 0) is not None

    def measure(self, data: Blob, start: int) -> int | None:
        return fit_length(data, start)

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with (
            open(src, "rb") as handle,
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data,
        ):
            try:
                tree = parse_fdt(data, 0)
            except FdtError as err:
                raise ExtractionError(f"not a readable FIT: {err}") from err
            images = tree.images()
            if images is None:
                raise ExtractionError("a plain devicetree blob, not a FIT: no /images node")
            _record_tree(tree, ctx)
            for node in images.children:
                ctx.deadline.check()
                _write_image(tree, node, fs, ctx)


def _record_tree(tree: FlatTree, ctx: ExtractContext) -> None:
    description = tree.text(tree.root, "description")
    if description is not None:
        ctx.metadata["description"] = description
    stamp = tree.number(tree.root, "timestamp")
    if stamp is not None:
        try:
            ctx.metadata["timestamp"] = datetime.fromtimestamp(stamp, UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            ctx.metadata["timestamp"] = str(stamp)


def _write_image(tree: FlatTree, node: Node, fs: SafeFS, ctx: ExtractContext) -> None:
    for prop in IMAGE_FIELDS:
        text = tree.text(node, prop)
        if text is not None:
            ctx.metadata[f"{node.name}.{prop}"] = text
    for prop in ADDRESS_FIELDS:
        number = tree.number(node, prop)
        if number is not None:
            ctx.metadata[f"{node.name}.{prop}"] = f"0x{number:08x}"
    span = tree.data_span(node)
    if span is None:
        ctx.problem(ProblemKind.CORRUPT, "FIT image node has no data", member=node.name)
        return
    offset, length = span
    if offset + length > len(tree.data):
        ctx.problem(
            ProblemKind.CORRUPT,
            f"image data is truncated: {max(len(tree.data) - offset, 0)} of {length} bytes",
            member=node.name,
            level=ProblemLevel.ERROR,
        )
        length = len(tree.data) - offset
        if length <= 0:
            return
    else:
        _check_hashes(tree, node, span, ctx)
    suffix = COMPRESSION_SUFFIXES.get(tree.text(node, "compression") or "", "")
    fs.write(node.name + suffix, _chunks(tree.data, offset, length))


def _chunks(data: Blob, offset: int, length: int) -> Iterator[bytes]:
    for position in range(offset, offset + length, CHUNK):
        yield bytes(data[position : min(position + CHUNK, offset + length)])


def _check_hashes(tree: FlatTree, node: Node, span: tuple[int, int], ctx: ExtractContext) -> None:
    for child in node.children:
        if not child.name.startswith("hash"):
            continue
        algo = tree.text(child, "algo") or ""
        expected = tree.value(child, "value")
        actual = _digest(algo, tree.data, *span)
        if expected is None or actual is None:
            continue
        ok = actual == expected
        ctx.metadata[f"{node.name}.{child.name}"] = f"{algo} {'ok' if ok else 'mismatch'}"
        if not ok:
            ctx.problem(ProblemKind.CORRUPT, f"{algo} hash mismatch", member=node.name)


def _digest(algo: str, data: Blob, offset: int, length: int) -> bytes | None:
    if algo == "crc32":
        crc = 0
        for chunk in _chunks(data, offset, length):
            crc = zlib.crc32(chunk, crc)
        return crc.to_bytes(4, "big")
    if algo not in ("md5", "sha1", "sha256", "sha384", "sha512"):
        return None
    digest = hashlib.new(algo)
    for chunk in _chunks(data, offset, length):
        digest.update(chunk)
    return digest.digest()
