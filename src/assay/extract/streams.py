"""Shared machinery for single-stream compressors: measure a stream, decompress it into a file.

zlib's decompressor keeps unread input in `unconsumed_tail`, lzma's and bz2's keep it inside and
say `needs_input`; `decompress_chunks` hides the difference and never asks for more than
OUT_CHUNK bytes of output at once, so a bomb is caught by the byte limits before memory runs out.
"""

from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

from assay.extract.base import Blob, ExtractionError
from assay.extract.safefs import SafeFS

CHUNK = 256 * 1024
OUT_CHUNK = 4 * 1024 * 1024
MEASURE_OUTPUT_CAP = 1024**3

Make = Callable[[], Any]


def output_name(name: str, suffixes: tuple[str, ...]) -> str:
    """The name of a decompressed stream: the compressed name without its suffix."""
    lower = name.lower()
    for suffix in suffixes:
        if lower.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            return stem + ".tar" if suffix in (".tgz", ".tbz2", ".txz", ".tzst") else stem
    return name + ".out"


def decompress_chunks(read: Callable[[int], bytes], make: Make) -> Generator[bytes, None, bytes]:
    """Yield the output of one stream read through `read`; return the input left after it.
    Raise ExtractionError when the stream is invalid or ends early."""
    decompressor = make()
    is_zlib = hasattr(decompressor, "unconsumed_tail")
    produced = 0
    while not decompressor.eof:
        if is_zlib:
            data = decompressor.unconsumed_tail or read(CHUNK)
            starved = not data
        else:
            data = read(CHUNK) if decompressor.needs_input else b""
            starved = decompressor.needs_input and not data
        if starved:
            raise ExtractionError(f"stream is truncated after {produced} bytes of output")
        try:
            out = decompressor.decompress(data, OUT_CHUNK)
        except (OSError, EOFError, ValueError, Exception) as err:
            where = "not a valid stream" if not produced else f"corrupt after {produced} bytes"
            raise ExtractionError(f"{where}: {err}") from err
        if out:
            produced += len(out)
            yield out
    return bytes(decompressor.unused_data)


def stream_length(data: Blob, start: int, make: Make) -> int | None:
    """Bytes a compressed stream at `start` occupies, found by decompressing it to its end and
    discarding the output; None when it is not a valid, complete stream. A stream whose output
    passes MEASURE_OUTPUT_CAP is taken to run to the end of `data`."""
    position = start
    total = len(data)

    def read(size: int) -> bytes:
        nonlocal position
        chunk = bytes(data[position : min(position + size, total)])
        position += len(chunk)
        return chunk

    chunks = decompress_chunks(read, make)
    produced = 0
    try:
        while True:
            produced += len(next(chunks))
            if produced > MEASURE_OUTPUT_CAP:
                return total - start
    except StopIteration as stop:
        rest: bytes = stop.value
        return position - len(rest) - start
    except ExtractionError:
        return None


def write_stream(src: Path, fs: SafeFS, name: str, make: Make, multi: bool = False) -> None:
    """Decompress `src` into the member `name`; with `multi`, concatenated streams are joined
    as the format's tools do (trailing zero padding is ignored)."""
    with open(src, "rb") as handle:
        fs.write(name, _all_streams(handle.read, make, multi))


def _all_streams(read: Callable[[int], bytes], make: Make, multi: bool) -> Iterator[bytes]:
    pending = b""

    def feed(size: int) -> bytes:
        nonlocal pending
        if pending:
            chunk, pending = pending[:size], pending[size:]
            return chunk
        return read(size)

    first = True
    while True:
        produced = False
        chunks = decompress_chunks(feed, make)
        try:
            while True:
                out = next(chunks)
                produced = True
                yield out
        except StopIteration as stop:
            pending = stop.value + pending
        except ExtractionError:
            if first or produced:
                raise
            return  # what follows the last stream is padding or other data, not another stream
        first = False
        if not multi:
            return
        pending = feed(CHUNK) + pending
        if not pending:
            return
