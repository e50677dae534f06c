"""The carver: one pass, validated candidates, no overlaps, gaps kept unless padding."""

import gzip
import os

from assay.extract.carver import Carver, is_padding
from assay.plugins import extractors


def test_finds_blobs_at_offsets_and_keeps_non_padding_gaps() -> None:
    first = gzip.compress(b"A" * 5000, mtime=0)
    second = gzip.compress(os.urandom(3000), mtime=0)
    junk = os.urandom(300)
    data = junk + first + b"\xff" * 1000 + second + b"\x00" * 512
    regions = Carver(extractors()).carve(data)
    described = [(r.start, r.length, r.extractor.name if r.extractor else None) for r in regions]
    assert described == [
        (0, 300, None),
        (300, len(first), "gzip"),
        (300 + len(first) + 1000, len(second), "gzip"),
    ]


def test_invalid_magic_hits_are_ignored() -> None:
    data = b"\x1f\x8b\x08\x00garbage" * 50
    assert Carver(extractors()).carve(data) == []


def test_padding_detection() -> None:
    assert is_padding(b"\x00" * 10, 0, 10)
    assert is_padding(b"ab\xff\xff", 2, 4)
    assert not is_padding(b"\x00\x00\x01", 0, 3)
