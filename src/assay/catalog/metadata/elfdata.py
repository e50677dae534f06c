"""Reading what linkers embed in ELF files — a named section's bytes, or the bytes at a virtual
address through the PT_LOAD program headers — with pyelftools, bounded in size."""

import struct
from typing import BinaryIO

from elftools.common.exceptions import ELFError
from elftools.construct import ConstructError
from elftools.elf.elffile import ELFFile

ELF_ERRORS = (ELFError, ConstructError, struct.error, ValueError, IndexError, KeyError, OSError)
PT_LOAD = "PT_LOAD"
PF_X = 1
PF_W = 2


class ElfData:
    """One ELF file's sections and loaded segments (raises one of ELF_ERRORS if malformed)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.elf = ELFFile(stream)
        self.stream = stream
        self.loads = [
            (s["p_vaddr"], s["p_filesz"], s["p_offset"], s["p_flags"])
            for s in self.elf.iter_segments()
            if s["p_type"] == PT_LOAD
        ]

    def section(self, name: str, limit: int) -> bytes | None:
        """The bytes of section `name` (None if absent; ValueError if above `limit`)."""
        section = self.elf.get_section_by_name(name)
        if section is None:
            return None
        if section["sh_size"] > limit:
            raise ValueError(f"section {name} is {section['sh_size']} bytes, above {limit}")
        return self._read(section["sh_offset"], section["sh_size"])

    def section_address(self, name: str) -> int | None:
        """The virtual address of section `name`."""
        section = self.elf.get_section_by_name(name)
        return int(section["sh_addr"]) if section is not None else None

    def first_writable_data(self) -> int | None:
        """The virtual address of the first loaded segment that is writable but not executable."""
        for vaddr, _, _, flags in self.loads:
            if flags & (PF_X | PF_W) == PF_W:
                return int(vaddr)
        return None

    def read(self, address: int, size: int) -> bytes:
        """Up to `size` bytes at a virtual address, from the loaded segment holding it."""
        for vaddr, filesz, offset, _ in self.loads:
            if vaddr <= address < vaddr + filesz:
                return self._read(offset + address - vaddr, min(size, vaddr + filesz - address))
        return b""

    def _read(self, offset: int, size: int) -> bytes:
        self.stream.seek(offset)
        return self.stream.read(size)
