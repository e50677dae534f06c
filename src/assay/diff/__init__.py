"""Release comparison: two evaluations → what changed (`assay diff OLD NEW`)."""

from assay.diff.compare import compare_evaluations
from assay.diff.model import ReleaseDiff
from assay.diff.render import diff_json, verdict_line

__all__ = ["ReleaseDiff", "compare_evaluations", "diff_json", "verdict_line"]
