"""The pure data model of an evaluation: frozen dataclasses, no I/O."""

from assay.model.artifact import Artifact, ElfFacts, FileKind
from assay.model.evaluation import Evaluation, Release, StageResult, StageStatus
from assay.model.problem import Problem, ProblemKind, ProblemLevel

__all__ = [
    "Artifact",
    "ElfFacts",
    "Evaluation",
    "FileKind",
    "Problem",
    "ProblemKind",
    "ProblemLevel",
    "Release",
    "StageResult",
    "StageStatus",
]
