"""Sizing files that hold several streams back to back, as pbzip2, plzip, pzstd and `cat` make
them; the format's tools decompress such a file as one."""

from collections.abc import Callable

from assay.extract.base import Blob

MeasureOne = Callable[[Blob, int], int | None]


def chain_length(data: Blob, start: int, measure_one: MeasureOne) -> int | None:
    """Bytes taken by the consecutive streams that `measure_one` sizes from `start`, or None
    when there is none at `start`."""
    position = start
    while position < len(data) and (length := measure_one(data, position)):
        position += length
    return position - start or None
