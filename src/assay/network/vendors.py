"""Vendor names compared word-wise: case, accents, punctuation and company forms ignored."""

import re
import unicodedata
from functools import lru_cache

from assay.network.model import VendorList

COMPANY_FORMS = frozenset(
    {
        "ab", "ag", "as", "asa", "bv", "co", "company", "corp", "corporation", "gmbh", "inc",
        "incorporated", "kg", "kk", "limited", "llc", "llp", "lp", "ltd", "nv", "oy", "oyj",
        "plc", "pte", "pty", "sa", "sarl", "sas", "se", "spa", "srl",
    }
)  # fmt: skip
_NOT_WORD = re.compile(r"[^0-9a-z]+")
Words = tuple[str, ...]


@lru_cache(maxsize=65536)
def vendor_words(name: str) -> Words:
    """The words of a vendor name: case-folded, accents and punctuation dropped, and trailing
    company forms removed ("Huawei Technologies Co., Ltd." → ("huawei", "technologies"))."""
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    words = [word for word in _NOT_WORD.split(name.lower()) if word]
    while len(words) > 1 and words[-1] in COMPANY_FORMS:
        words.pop()
    return tuple(words)


@lru_cache(maxsize=1024)
def _entries(listed: VendorList) -> tuple[frozenset[Words], tuple[int, ...]]:
    entries = frozenset(words for words in map(vendor_words, listed.vendors) if words)
    return entries, tuple(sorted({len(words) for words in entries}))


@lru_cache(maxsize=65536)
def vendor_matches(element_vendor: str, listed: VendorList) -> bool:
    """True when an entry of the list is a word-wise prefix of the element's vendor name:
    "Huawei Technologies (UK) Co. Limited" and "HUAWEI" match "Huawei"; "Huaweii" does not."""
    words = vendor_words(element_vendor)
    entries, lengths = _entries(listed)
    return any(words[:length] in entries for length in lengths if length <= len(words))
