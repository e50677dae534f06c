"""Dynamic-section tags the census reads (System V gABI, and the MIPS and PowerPC processor
supplements), and what the hash tables say of the dynamic symbol count when there are no
sections."""

import struct
from typing import Protocol

NULL, NEEDED, PLTRELSZ, PLTGOT, HASH, STRTAB, SYMTAB = 0, 1, 2, 3, 4, 5, 6
RELA, RELASZ, STRSZ, REL, RELSZ, PLTREL, JMPREL = 7, 8, 10, 17, 18, 20, 23
GNU_HASH = 0x6FFFFEF5
MIPS_LOCAL_GOTNO, MIPS_SYMTABNO, MIPS_GOTSYM = 0x7000000A, 0x70000011, 0x70000013
PPC_GOT = 0x70000000
NEEDED_COUNT = -1  # not a tag: how many DT_NEEDED entries were seen
CHAIN_READ = 1 << 20


class Readable(Protocol):
    """What the count needs from an ELF image."""

    order: str
    bits: int
    machine: int
    dynamic: dict[int, int]

    def read(self, address: int, size: int) -> bytes: ...


def exact_symbol_count(image: Readable) -> int | None:
    """How many dynamic symbols there are according to DT_HASH's nchain or MIPS's
    DT_MIPS_SYMTABNO (None if neither is present and readable)."""
    if HASH in image.dynamic:
        raw = image.read(image.dynamic[HASH], 8)
        if len(raw) == 8:
            return int(struct.unpack(image.order + "II", raw)[1])
    return image.dynamic.get(MIPS_SYMTABNO)


def gnu_hash_count(image: Readable) -> int | None:
    """One past the highest symbol index DT_GNU_HASH reaches (imports are not hashed, so this
    is a lower bound of the table's size)."""
    if GNU_HASH not in image.dynamic:
        return None
    return _gnu_hash_count(image, image.dynamic[GNU_HASH])


def _gnu_hash_count(image: Readable, address: int) -> int | None:
    header = image.read(address, 16)
    if len(header) != 16:
        return None
    buckets, offset, bloom_words, _ = struct.unpack(image.order + "IIII", header)
    table = address + 16 + bloom_words * (image.bits // 8)
    raw = image.read(table, buckets * 4)
    if len(raw) != buckets * 4:
        return None
    highest = max(struct.unpack(f"{image.order}{buckets}I", raw), default=0)
    if highest < offset:
        return int(offset)
    chain = image.read(table + buckets * 4 + (highest - offset) * 4, CHAIN_READ)
    for position, (value,) in enumerate(
        struct.iter_unpack(image.order + "I", chain[: len(chain) // 4 * 4])
    ):
        if value & 1:
            return int(highest) + position + 1
    return None
