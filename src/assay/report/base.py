"""The Reporter seam: a reporter renders the published `evaluation.json` document (schema
`docs/evaluation.schema.json`) into one output format.

Reporters read the document, not the Python model: the same code renders a scan that just ran and
an `evaluation.json` saved months ago (`assay report`), and every report shows exactly what the
versioned JSON says — nothing a consumer of the JSON could not see."""

from abc import ABC, abstractmethod
from typing import Any, BinaryIO, ClassVar

EvaluationDocument = dict[str, Any]


class Reporter(ABC):
    """One output format. Registered in `assay.plugins` (BUILTIN_REPORTERS)."""

    name: ClassVar[str]
    media_type: ClassVar[str]
    file_name: ClassVar[str]

    @abstractmethod
    def render(self, document: EvaluationDocument, out: BinaryIO) -> None:
        """Write the report of one evaluation document to a binary stream."""
