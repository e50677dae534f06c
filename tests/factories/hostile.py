"""Hostile inputs built in the test run: escaping names and links, special files, bombs, quines,
deep nesting, broken images. Archives are made with tarfile, zipfile and gzip, cpio (SVR4 "newc",
as documented in cpio(5)) by hand, squashfs with mksquashfs."""

import gzip
import io
import random
import struct
import subprocess
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from tests.factories.files import SAMPLE_FILES, expected_hashes

MIB = 1024**2
LEGIT = "keep/"
"""Folder that holds the legitimate sample files packed beside every hostile member."""

Member = tuple[tarfile.TarInfo, bytes | None]


def legit_hashes() -> dict[str, str]:
    """In-container path → sha256 of the legitimate files packed with hostile members."""
    return expected_hashes("/" + LEGIT)


# -- tar -------------------------------------------------------------------------------------------


def reg(name: str, data: bytes, mode: int = 0o644) -> Member:
    """A regular-file tar member."""
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, 1_600_000_000
    return info, data


def sym(name: str, target: str) -> Member:
    """A symlink tar member."""
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info, None


def hard(name: str, target: str) -> Member:
    """A hard-link tar member."""
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.LNKTYPE, target
    return info, None


def node(name: str, kind: bytes, major: int = 0, minor: int = 0) -> Member:
    """A device node or FIFO tar member (`kind` is tarfile.CHRTYPE, BLKTYPE or FIFOTYPE)."""
    info = tarfile.TarInfo(name)
    info.type, info.devmajor, info.devminor, info.mode = kind, major, minor, 0o666
    return info, None


def legit_members(names: Iterable[str] | None = None) -> list[Member]:
    """SAMPLE_FILES under LEGIT/, as tar members."""
    chosen = sorted(SAMPLE_FILES) if names is None else names
    return [reg(LEGIT + name, SAMPLE_FILES[name]) for name in chosen]


def sandwich(hostile: list[Member]) -> list[Member]:
    """Hostile members between legitimate ones, so that extraction must go on after them."""
    names = sorted(SAMPLE_FILES)
    return [*legit_members(names[:2]), *hostile, *legit_members(names[2:])]


def tar_bytes(members: Iterable[Member], fmt: int = tarfile.GNU_FORMAT) -> bytes:
    """A tar archive of the given members, in order."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=fmt, encoding="utf-8") as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def hostile_tar(*hostile: Member) -> bytes:
    """A tar of the legitimate files with `hostile` members in the middle."""
    return tar_bytes(sandwich(list(hostile)))


# -- zip -------------------------------------------------------------------------------------------


def zip_bytes(entries: Iterable[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive of (name, data) entries, in order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = method
            archive.writestr(info, data)
    return buffer.getvalue()


def legit_zip_entries() -> list[tuple[str, bytes]]:
    """SAMPLE_FILES under LEGIT/ as zip entries."""
    return [(LEGIT + name, SAMPLE_FILES[name]) for name in sorted(SAMPLE_FILES)]


def hostile_zip(name: str, data: bytes) -> bytes:
    """A zip of the legitimate files with one hostile entry in the middle."""
    entries = legit_zip_entries()
    return zip_bytes([*entries[:2], (name, data), *entries[2:]])


def zip_with_raw_name(raw: bytes, data: bytes) -> bytes:
    """A zip of the legitimate files and one entry whose stored name is the bytes `raw` (not
    UTF-8, no UTF-8 flag): written under an ASCII stand-in, then patched in both headers."""
    stand_in = "N" * len(raw)
    archive = hostile_zip(stand_in, data)
    assert archive.count(stand_in.encode()) == 2
    return archive.replace(stand_in.encode(), raw)


# -- cpio (newc) -----------------------------------------------------------------------------------


def _pad4(data: bytes) -> bytes:
    return data + b"\x00" * (-len(data) % 4)


def cpio_entry(name: bytes, data: bytes = b"", mode: int = 0o100644, ino: int = 1) -> bytes:
    """One "newc" cpio entry: 110-byte ASCII header, name, data, each padded to 4 bytes."""
    fields = [ino, mode, 0, 0, 1, 1_600_000_000, len(data), 0, 0, 0, 0, len(name) + 1, 0]
    header = b"070701" + b"".join(b"%08X" % value for value in fields)
    return _pad4(header + name + b"\x00") + _pad4(data)


def cpio_bytes(entries: Iterable[tuple[bytes, bytes, int]]) -> bytes:
    """A newc archive of (name, data, mode) entries and its trailer."""
    body = b"".join(
        cpio_entry(name, data, mode, ino) for ino, (name, data, mode) in enumerate(entries, 2)
    )
    trailer = cpio_entry(b"TRAILER!!!", mode=0, ino=0)
    return body + trailer + b"\x00" * (-(len(body) + len(trailer)) % 512)


def legit_cpio_entries() -> list[tuple[bytes, bytes, int]]:
    """SAMPLE_FILES under LEGIT/ as cpio entries."""
    return [
        ((LEGIT + name).encode(), SAMPLE_FILES[name], 0o100644) for name in sorted(SAMPLE_FILES)
    ]


def hostile_cpio(*hostile: tuple[bytes, bytes, int]) -> bytes:
    """A cpio of the legitimate files with `hostile` entries in the middle."""
    entries = legit_cpio_entries()
    return cpio_bytes([*entries[:2], *hostile, *entries[2:]])


def corrupt_cpio() -> tuple[bytes, int]:
    """A cpio whose third header has a broken magic; returns the archive and how many entries
    precede the damage."""
    archive = cpio_bytes(legit_cpio_entries())
    entries = legit_cpio_entries()
    offset = sum(len(cpio_entry(name, data, mode)) for name, data, mode in entries[:2])
    assert archive[offset : offset + 6] == b"070701"
    damaged = archive[:offset] + b"07X7Z1" + archive[offset + 6 :]
    return damaged, 2


# -- squashfs --------------------------------------------------------------------------------------


def mksquashfs(tree: Path, image: Path, *options: str) -> Path:
    """Pack `tree` into a squashfs `image` with mksquashfs (squashfs-tools)."""
    argv = ["mksquashfs", str(tree), str(image), "-noappend", "-all-root", "-no-progress"]
    subprocess.run([*argv, *options], check=True, capture_output=True)
    return image


def many_files_tree(root: Path, count: int, size: int = 64) -> Path:
    """`count` small files of distinct content in a few folders."""
    for index in range(count):
        path = root / f"d{index % 50:02d}" / f"f{index:06d}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(index.to_bytes(8, "little") * (size // 8))
    return root


# -- bombs -----------------------------------------------------------------------------------------


def gzip_bomb(total: int, member: int = 16 * MIB) -> bytes:
    """A gzip file that inflates to `total` zero bytes at a ratio above 1000:1: identical gzip
    members of `member` zeros, concatenated (gzip -d joins them)."""
    assert total % member == 0
    one = gzip.compress(bytes(member), compresslevel=9, mtime=0)
    return one * (total // member)


def _tagged(base: bytes, tag: str) -> bytes:
    """The zip `base` with one small extra member named and filled after `tag`."""
    buffer = io.BytesIO(base)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(f"id-{tag}.txt", f"{tag}\n")
    return buffer.getvalue()


def nested_zip_bomb(fanout: int, leaf_bytes: int, distinct: bool) -> bytes:
    """A zip of `fanout` zips of `fanout` zips each holding `leaf_bytes` zeros. With `distinct`,
    every zip differs from all others (one extra small member), so that each must be unpacked
    and its zeros written before their hash can tell they were seen before."""
    leaf = zip_bytes([("zeros.bin", bytes(leaf_bytes))])
    middles = []
    for i in range(fanout):
        leaves = [_tagged(leaf, f"leaf-{i}-{j}") if distinct else leaf for j in range(fanout)]
        middle = zip_bytes([(f"leaf-{j}.zip", d) for j, d in enumerate(leaves)], zipfile.ZIP_STORED)
        middles.append(_tagged(middle, f"middle-{i}") if distinct else middle)
    return zip_bytes([(f"middle-{i}.zip", d) for i, d in enumerate(middles)], zipfile.ZIP_STORED)


def padded_name(prefix: Path, length: int, leaf: str) -> str:
    """A member name of folders ending in `leaf` such that `prefix/name` is `length` long."""
    budget = length - len(str(prefix)) - 1 - len(leaf)
    parts = []
    while budget > 201:
        parts.append("d" * 200)
        budget -= 201
    parts.append("e" * (budget - 1))
    name = "/".join([*parts, leaf])
    assert len(str(prefix / name)) == length
    return name


# -- deep nesting ----------------------------------------------------------------------------------


def nested_gzip(levels: int, payload: bytes = b"the innermost payload\n") -> bytes:
    """`payload` gzipped `levels` times over."""
    data = payload
    for _ in range(levels):
        data = gzip.compress(data, mtime=0)
    return data


def nested_tar(levels: int) -> bytes:
    """A tar holding `level-N.txt` and a tar holding the next level, `levels` deep."""
    data = tar_bytes([reg("level-0.txt", b"level 0\n")])
    for level in range(1, levels):
        data = tar_bytes([reg(f"level-{level}.txt", b"level %d\n" % level), reg("inner.tar", data)])
    return data


def flood(count: int) -> list[Member]:
    """`count` tiny tar members of distinct content, `many/f00000` holding b"0\n" and so on."""
    return [reg(f"many/f{i:05d}", b"%d\n" % i) for i in range(count)]


# -- a gzip file that decompresses to itself ------------------------------------------------------
#
# Russ Cox, "Zip Files All The Way Down" (research.swtch.com/zip): deflate stored blocks print
# literal bytes, fixed-Huffman copies repeat earlier output; with every instruction exactly five
# bytes long, a fixed sequence of them reproduces the whole file, gzip header and trailer included.
# The trailer's CRC-32 covers the file that contains it: CRC-32 is affine over GF(2), so the value
# that is its own checksum is found by solving a 32x32 linear system.

TOKEN = 5
LEN_BASE = (3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99)
LEN_EXTRA = (0,) * 8 + (1,) * 4 + (2,) * 4 + (3,) * 4 + (4,) * 3
DIST_BASE = (1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193)
DIST_EXTRA = (0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6)


class _Bits:
    """A deflate bit stream: fields least significant bit first, Huffman codes most first."""

    def __init__(self) -> None:
        self.bits: list[int] = []

    def put(self, value: int, count: int) -> None:
        self.bits += [(value >> i) & 1 for i in range(count)]

    def code(self, value: int, count: int) -> None:
        self.bits += [(value >> i) & 1 for i in reversed(range(count))]

    def block_header(self, final: bool) -> None:
        self.put(int(final), 1)
        self.put(1, 2)  # fixed Huffman codes

    def copy(self, length: int, distance: int) -> None:
        i = max(k for k, base in enumerate(LEN_BASE) if base <= length)
        symbol = 257 + i
        if symbol <= 279:
            self.code(symbol - 256, 7)
        else:
            self.code(0xC0 + symbol - 280, 8)
        self.put(length - LEN_BASE[i], LEN_EXTRA[i])
        j = max(k for k, base in enumerate(DIST_BASE) if base <= distance)
        self.code(j, 5)
        self.put(distance - DIST_BASE[j], DIST_EXTRA[j])

    def end_block(self) -> None:
        self.code(0, 7)

    def to_bytes(self) -> bytes:
        bits = self.bits + [0] * (-len(self.bits) % 8)
        return bytes(
            sum(bit << i for i, bit in enumerate(bits[k : k + 8])) for k in range(0, len(bits), 8)
        )


def _splits(total: int) -> Iterator[tuple[int, ...]]:
    yield (total,)
    for first in range(3, total - 2):
        yield first, total - first


def _repeat_bits(total: int, split: tuple[int, ...], empties: int, final: bool) -> _Bits:
    bits = _Bits()
    for _ in range(empties):
        bits.block_header(False)
        bits.end_block()
    bits.block_header(final)
    for part in split:
        bits.copy(part, total)
    bits.end_block()
    return bits


def _repeat(total: int, final: bool = False) -> bytes | None:
    """Five bytes of fixed-Huffman blocks that copy the last `total` bytes of output, or None."""
    for split in _splits(total):
        for empties in range(3):
            count = len(_repeat_bits(total, split, empties, final).bits)
            if count == 8 * TOKEN or (final and 8 * TOKEN - 8 < count < 8 * TOKEN):
                return _repeat_bits(total, split, empties, final).to_bytes()
    return None


def _literal(count: int) -> bytes:
    """A stored-block header announcing `count` literal bytes."""
    return struct.pack("<BHH", 0, count, count ^ 0xFFFF)


def _quine_parts() -> tuple[bytes, bytes, bytes, bytes]:
    """gzip header and the three copy instructions, with a stored name long enough that every
    copy instruction fits in TOKEN bytes."""
    for extra in range(1, 32):
        header = b"\x1f\x8b\x08\x08" + bytes(4) + b"\x00\x03" + b"q" * extra + b"\x00"
        copies = (_repeat(len(header) + TOKEN), _repeat(4 * TOKEN), _repeat(8 + TOKEN, True))
        if None not in copies:
            return header, *copies  # type: ignore[return-value]
    raise AssertionError("no stored name makes a gzip quine")


def _quine_body(header: bytes, r_head: bytes, r4: bytes, r_tail: bytes, tail: bytes) -> bytes:
    literal, head = _literal, len(header) + TOKEN
    four, tail_length = 4 * TOKEN, len(tail) + TOKEN
    # fmt: off
    return b"".join(
        [
            literal(head), header, literal(head), r_head,
            literal(TOKEN), r_head, literal(TOKEN), literal(TOKEN),
            literal(four), r_head, literal(TOKEN), literal(TOKEN), literal(four), r4,
            literal(four), r4, literal(four), r4, literal(four), r4,
            literal(four), r4, literal(0), literal(0), literal(tail_length), r4,
            literal(0), literal(0),
            literal(tail_length), r_tail, tail, r_tail,
        ]
    )
    # fmt: on


def _fixed_point(checksum_of: Callable[[int], int]) -> int:
    """The x with checksum_of(x) == x, for an affine checksum_of over GF(2)^32."""
    zero = checksum_of(0)
    columns = [checksum_of(1 << i) ^ zero for i in range(32)]
    rows = []
    for r in range(32):
        coefficients = sum((((columns[i] >> r) & 1) ^ (i == r)) << i for i in range(32))
        rows.append([coefficients, (zero >> r) & 1])
    for col in range(32):
        pivot = next(i for i in range(col, 32) if rows[i][0] >> col & 1)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for i in range(32):
            if i != col and rows[i][0] >> col & 1:
                rows[i][0] ^= rows[col][0]
                rows[i][1] ^= rows[col][1]
    return sum(rows[col][1] << col for col in range(32))


def gzip_quine() -> bytes:
    """A valid gzip file whose decompressed content is exactly its own bytes."""
    header, r_head, r4, r_tail = _quine_parts()

    def whole(crc: int) -> bytes:
        size = len(header) + len(_quine_body(header, r_head, r4, r_tail, bytes(8))) + 8
        tail = struct.pack("<II", crc, size)
        return header + _quine_body(header, r_head, r4, r_tail, tail) + tail

    return whole(_fixed_point(lambda crc: zlib.crc32(whole(crc))))


# -- odds and ends ---------------------------------------------------------------------------------


def opaque_bytes(size: int, seed: int = 7) -> bytes:
    """Deterministic bytes of no known format."""
    return random.Random(seed).randbytes(size)


def slow_squashfs(image: Path, folders: int = 150, per_folder: int = 200) -> Path:
    """A small squashfs of `folders` x `per_folder` empty directories (mksquashfs pseudo
    definitions, no tree on disk): cheap to build, seconds of work for unsquashfs to unpack."""
    empty = image.parent / (image.name + ".empty")
    empty.mkdir()
    pseudo = image.parent / (image.name + ".pseudo")
    with open(pseudo, "w") as lines:
        for folder in range(folders):
            lines.write(f"d{folder:04d} d 755 0 0\n")
            lines.writelines(f"d{folder:04d}/e{i:04d} d 755 0 0\n" for i in range(per_folder))
    return mksquashfs(empty, image, "-quiet", "-pf", str(pseudo))
