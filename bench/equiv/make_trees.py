"""Build the benchmark pair: tree A = real ELF files of this machine (from /usr/bin and /usr/lib),
tree B = the same files changed by real tools, most in metadata only (build-id bytes rewritten,
`.comment` replaced with objcopy, mtimes moved), a few with one real code change (a `jg` turned
into `jge` inside a named function, found with capstone). Writes truth.json: which file got what.

Usage: make_trees.py [--megabytes 120] [--code-changes 8] [--max-file-mb 12] WORK_DIR
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from capstone import CS_ARCH_X86, CS_MODE_64, Cs
from capstone.x86_const import X86_INS_JG
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import NoteSection, SymbolTableSection

SOURCES = (Path("/usr/bin"), Path("/usr/sbin"), Path("/usr/lib"))
COMMENT = b"GCC: (Debian 12.2.0-14+rebuilt) 12.2.0\x00"
EM_X86_64 = "EM_X86_64"
MTIME_SHIFT = 86_400 * 30


def candidates(max_bytes: int) -> list[Path]:
    """x86-64 ELF regular files below the source folders, path order, one copy per content."""
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for source in SOURCES:
        for root, dirs, files in os.walk(source):
            dirs.sort()
            for name in sorted(files):
                path = Path(root) / name
                if path.is_symlink() or not path.is_file() or "/debug/" in str(path):
                    continue
                info = path.stat()
                if not 16_384 <= info.st_size <= max_bytes or (info.st_dev, info.st_ino) in seen:
                    continue
                if _x86_64_elf(path):
                    seen.add((info.st_dev, info.st_ino))
                    found.append(path)
    return found


def _x86_64_elf(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            if handle.read(4) != b"\x7fELF":
                return False
            handle.seek(0)
            return bool(ELFFile(handle)["e_machine"] == EM_X86_64)
    except Exception:  # unreadable or malformed files are simply not chosen
        return False


def spread(files: list[Path], total: int) -> list[Path]:
    """Every k-th candidate, so the selection spans all folders, until `total` bytes."""
    size = sum(p.stat().st_size for p in files)
    step = max(1, size // total)
    chosen: list[Path] = []
    taken = 0
    for offset in range(step):
        for path in files[offset::step]:
            if taken >= total:
                return chosen
            if path not in chosen:
                chosen.append(path)
                taken += path.stat().st_size
    return chosen


def flip_build_id(path: Path) -> bool:
    """Rewrite the GNU build-id bytes in place (every byte XOR 0x5a), as another build would."""
    with open(path, "r+b") as handle:
        elf = ELFFile(handle)
        for section in elf.iter_sections():
            if not isinstance(section, NoteSection):
                continue
            for note in section.iter_notes():
                if note["n_type"] != "NT_GNU_BUILD_ID":
                    continue
                size = note["n_descsz"]
                start = note["n_offset"] + 12 + ((note["n_namesz"] + 3) & ~3)
                handle.seek(start)
                old = handle.read(size)
                handle.seek(start)
                handle.write(bytes(b ^ 0x5A for b in old))
                return True
    return False


def replace_comment(path: Path, comment_file: Path) -> bool:
    """objcopy replaces `.comment` (another compiler ident, another size), or adds one where
    the file has none (Debian's dh_strip removes it)."""
    with open(path, "rb") as handle:
        present = ELFFile(handle).get_section_by_name(".comment") is not None
    action = "--update-section" if present else "--add-section"
    done = subprocess.run(
        ["objcopy", f"{action}=.comment={comment_file}", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"objcopy failed on {path}: {done.stderr.strip()}", file=sys.stderr)
    return done.returncode == 0


def flip_jump(path: Path) -> dict[str, Any] | None:
    """Turn the first short `jg` (0x7f) of a named .text function into `jge` (0x7d)."""
    with open(path, "rb") as handle:
        found = _first_short_jg(ELFFile(handle))
    if found is None:
        return None
    name, where, address = found
    with open(path, "r+b") as handle:
        handle.seek(where)
        handle.write(b"\x7d")
    return {"function": name, "address": hex(address), "change": "jg -> jge"}


def _first_short_jg(elf: ELFFile) -> tuple[str, int, int] | None:
    """(function, file offset, address) of a 2-byte `jg` in the biggest named functions."""
    text = elf.get_section_by_name(".text")
    if text is None:
        return None
    low, high = text["sh_addr"], text["sh_addr"] + text["sh_size"]
    disassembler = Cs(CS_ARCH_X86, CS_MODE_64)
    data = text.data()
    for name, address, size in _functions(elf, low, high):
        code = data[address - low : address - low + size]
        for insn in disassembler.disasm(code, address):
            if insn.id == X86_INS_JG and insn.size == 2 and insn.bytes[0] == 0x7F:
                return name, insn.address - low + text["sh_offset"], insn.address
    return None


def _functions(elf: ELFFile, low: int, high: int) -> list[tuple[str, int, int]]:
    """Named functions inside .text (symtab if present, else dynsym), biggest first."""
    found: dict[int, tuple[str, int, int]] = {}
    for table_name in (".dynsym", ".symtab"):
        table = elf.get_section_by_name(table_name)
        if not isinstance(table, SymbolTableSection):
            continue
        for symbol in table.iter_symbols():
            value, size = symbol["st_value"], symbol["st_size"]
            if symbol["st_info"]["type"] == "STT_FUNC" and size and low <= value < high:
                found.setdefault(value, (symbol.name, value, size))
    return sorted(found.values(), key=lambda f: (-f[2], f[1]))[:200]


def build(work: Path, megabytes: int, code_changes: int, max_file_mb: int) -> dict[str, Any]:
    tree_a, tree_b = work / "A", work / "B"
    for tree in (tree_a, tree_b):
        shutil.rmtree(tree, ignore_errors=True)
    chosen = spread(candidates(max_file_mb << 20), megabytes << 20)
    comment_file = work / "comment.bin"
    comment_file.write_bytes(COMMENT)
    files: dict[str, Any] = {}
    code_every = max(1, len(chosen) // (code_changes * 2))
    code_done, next_code = 0, code_every // 2
    for number, source in enumerate(chosen):
        relative = str(source).lstrip("/")
        for tree in (tree_a, tree_b):
            (tree / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tree / relative)
        target = tree_b / relative
        changes = []
        code = None
        if code_done < code_changes and number >= next_code:
            code = flip_jump(target)
            if code:
                changes.append("code")
                code_done, next_code = code_done + 1, number + code_every
        if flip_build_id(target):
            changes.append("build-id")
        if number % 3 == 0 and replace_comment(target, comment_file):
            changes.append("comment")
        stat = target.stat()
        os.utime(target, (stat.st_atime, stat.st_mtime + MTIME_SHIFT))
        changes.append("mtime")
        files[relative] = {"size": source.stat().st_size, "changes": changes, "code": code}
    total = sum(f["size"] for f in files.values())
    return {"total_bytes": total, "files": files}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path)
    parser.add_argument("--megabytes", type=int, default=120)
    parser.add_argument("--code-changes", type=int, default=8)
    parser.add_argument("--max-file-mb", type=int, default=12)
    arguments = parser.parse_args()
    arguments.work.mkdir(parents=True, exist_ok=True)
    work = arguments.work
    truth = build(work, arguments.megabytes, arguments.code_changes, arguments.max_file_mb)
    (arguments.work / "truth.json").write_text(json.dumps(truth, indent=1))
    counts: dict[str, int] = {}
    for entry in truth["files"].values():
        for change in entry["changes"]:
            counts[change] = counts.get(change, 0) + 1
    print(
        f"{len(truth['files'])} files, {truth['total_bytes'] / 2**20:.1f} MiB per tree; "
        f"changes: {counts}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
