"""Binary equivalence: is a rebuilt release the vendor's, up to named benign build metadata?"""

from assay.equivalence.release import compare_files, compare_releases
from assay.equivalence.verdict import Difference, FilePair, ReleaseVerdict, Verdict

__all__ = [
    "Difference",
    "FilePair",
    "ReleaseVerdict",
    "Verdict",
    "compare_files",
    "compare_releases",
]
