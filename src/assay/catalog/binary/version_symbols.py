"""Versions from symbols: an ELF file that defines a rule's version function (`PQlibVersion`
returns 150005) or version datum (`_libiconv_version` holds 0x0112) has its value read — the
function's constant return from its first instructions, the datum's bytes in the file's byte
order — and decoded by the rule's encoding. Symbols come from `.symtab`, `.dynsym`, or the dynamic
segment when section headers are stripped; undefined (imported) symbols never count."""

import io
import logging
import mmap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal, cast

import capstone as cs
from elftools.elf.elffile import ELFFile
from elftools.elf.enums import ENUM_E_MACHINE
from elftools.elf.sections import Symbol

from assay.catalog.binary.constant_return import Code, constant_return
from assay.catalog.binary.rules import VersionSymbol
from assay.catalog.metadata.elfdata import ELF_ERRORS
from assay.checks.census.arch import arch_for

log = logging.getLogger(__name__)

EM_RISCV = 243
CODE_WINDOW = 96
DATA_SIZES = (1, 2, 4, 8)
EF_PPC64_ABI = 3
READ_ERRORS = (*ELF_ERRORS, cs.CsError, AssertionError, RecursionError, UnicodeDecodeError)
FAMILIES = frozenset({"x86", "arm", "aarch64", "mips", "ppc"})


@dataclass(frozen=True, slots=True)
class SymbolVersion:
    """A version read from a symbol: where (file offset) and the bytes it was read from."""

    symbol: VersionSymbol
    version: str
    offset: int
    matched: bytes


def read_version_symbols(
    data: mmap.mmap | bytes, wanted: Iterable[VersionSymbol]
) -> list[SymbolVersion]:
    """Every wanted symbol the ELF in `data` defines whose value decodes to a version."""
    stream = cast(IO[bytes], data if isinstance(data, mmap.mmap) else io.BytesIO(data))
    try:
        elf = ELFFile(stream)
        return list(_read(elf, data, wanted))
    except READ_ERRORS as err:
        log.debug("version symbols unreadable: %s", err)
        return []


def _read(elf: ELFFile, data: Any, wanted: Iterable[VersionSymbol]) -> Iterator[SymbolVersion]:
    for entry in wanted:
        symbol = _defined(elf, entry.symbol)
        if symbol is None:
            continue
        read = _datum if entry.kind == "data" else _function
        value = read(elf, data, symbol)
        if value is None:
            continue
        number, offset, matched = value
        version = entry.encoding.decode(number)
        if version is not None:
            yield SymbolVersion(entry, version, offset, matched)


def _defined(elf: ELFFile, name: str) -> Symbol | None:
    """The defined symbol `name` from the symbol tables (or the dynamic segment), or None."""
    tables: list[Any] = [elf.get_section_by_name(n) for n in (".dynsym", ".symtab")]
    tables = [t for t in tables if t is not None and hasattr(t, "get_symbol_by_name")]
    if not tables:
        tables = list(elf.iter_segments(type="PT_DYNAMIC"))
    for table in tables:
        for symbol in table.get_symbol_by_name(name) or ():
            if symbol["st_shndx"] != "SHN_UNDEF" and symbol["st_value"]:
                return symbol  # type: ignore[no-any-return]
    return None


def _offset(elf: ELFFile, address: int, size: int) -> int | None:
    return next(elf.address_offsets(address, size), None)


def _datum(elf: ELFFile, data: Any, symbol: Symbol) -> tuple[int, int, bytes] | None:
    size = symbol["st_size"] or 4
    if symbol["st_info"]["type"] != "STT_OBJECT" or size not in DATA_SIZES:
        return None
    offset = _offset(elf, symbol["st_value"], size)
    if offset is None:
        return None
    raw = bytes(data[offset : offset + size])
    return int.from_bytes(raw, _order(elf)), offset, raw


def _function(elf: ELFFile, data: Any, symbol: Symbol) -> tuple[int, int, bytes] | None:
    if symbol["st_info"]["type"] != "STT_FUNC":
        return None
    setup = _code_setup(elf)
    if setup is None:
        return None
    family, cs_arch, cs_mode = setup
    address = symbol["st_value"]
    if family == "arm":
        cs_mode = cs.CS_MODE_THUMB if address & 1 else cs.CS_MODE_ARM
        address &= ~1
    if elf["e_machine"] == "EM_PPC64" and elf["e_flags"] & EF_PPC64_ABI != 2:
        address = _word(elf, data, address, 8) or 0  # ELFv1: the symbol is a descriptor
    offset = _offset(elf, address, 4)
    if offset is None:
        return None
    code = Code(
        family,
        cs_arch,
        cs_mode,
        address,
        bytes(data[offset : offset + CODE_WINDOW]),
        lambda target: _word(elf, data, target, 4),
    )
    result = constant_return(code)
    if result is None:
        return None
    value, used = result
    return value, offset, code.data[:used]


def _word(elf: ELFFile, data: Any, address: int, size: int) -> int | None:
    offset = _offset(elf, address, size)
    if offset is None:
        return None
    return int.from_bytes(bytes(data[offset : offset + size]), _order(elf))


def _order(elf: ELFFile) -> Literal["little", "big"]:
    return "little" if elf.little_endian else "big"


def _code_setup(elf: ELFFile) -> tuple[str, int, int] | None:
    """(family, capstone arch, capstone mode) for the file's machine, None for others."""
    header = elf.header
    machine = header["e_ident"]["EI_CLASS"]
    bits = 64 if machine == "ELFCLASS64" else 32
    number = _machine_number(header["e_machine"])
    if number == EM_RISCV:
        width = cs.CS_MODE_RISCV64 if bits == 64 else cs.CS_MODE_RISCV32
        return "riscv", cs.CS_ARCH_RISCV, width | cs.CS_MODE_RISCVC
    arch = arch_for(number, bits, elf.little_endian, header["e_flags"])
    if arch is None or arch.kind not in FAMILIES:
        return None
    return arch.kind, arch.cs_arch, arch.modes[0]


def _machine_number(machine: str | int) -> int:
    return machine if isinstance(machine, int) else int(ENUM_E_MACHINE.get(machine, 0))
