"""The identify stage: run every cataloger over the file index and merge their sightings."""

import logging
import time

from assay.catalog.base import CatalogContext, Cataloger, Observation
from assay.catalog.binary.rules import default_rules
from assay.catalog.merge import merge
from assay.inventory.index import FileIndex
from assay.model.component import Component
from assay.model.evaluation import StageResult, StageStatus
from assay.model.problem import Problem, ProblemKind, ProblemLevel
from assay.pipeline.progress import Progress

log = logging.getLogger(__name__)
STAGE = "identify"


def identify(
    index: FileIndex, catalogers: tuple[Cataloger, ...], progress: Progress
) -> tuple[list[Component], list[Problem], StageResult]:
    """Components found by all catalogers, the problems they met, and the stage's outcome."""
    clock = time.monotonic()
    observations: list[Observation] = []
    problems: list[Problem] = []
    failed: list[str] = []
    progress.start(STAGE, len(catalogers))
    for cataloger in catalogers:
        progress.note(STAGE, cataloger.name)
        ctx = CatalogContext()
        try:
            observations.extend(cataloger.catalog(index, ctx))
        except Exception as err:  # a cataloger bug must never end the evaluation
            log.exception("cataloger %s failed", cataloger.name)
            failed.append(cataloger.name)
            ctx.problem(
                ProblemKind.TOOL_FAILED, f"{type(err).__name__}: {err}", "", ProblemLevel.ERROR
            )
        problems.extend(
            Problem(kind, level, message, location, stage=STAGE, extractor=cataloger.name)
            for kind, level, message, location in ctx.problems
        )
        progress.advance(STAGE)
    progress.finish(STAGE)
    components = merge(observations, _eol_dates(observations))
    status = StageStatus.PARTIAL if failed else StageStatus.OK
    message = f"cataloger(s) failed: {', '.join(failed)}" if failed else ""
    return (
        components,
        problems,
        StageResult(STAGE, status, round(time.monotonic() - clock, 3), message),
    )


def _eol_dates(observations: list[Observation]) -> dict[tuple[str, str], str]:
    rules = {rule.product: rule for rule in default_rules()}
    dates: dict[tuple[str, str], str] = {}
    for observation in observations:
        rule = rules.get(observation.product)
        date = rule.eol_for(observation.version) if rule else None
        if date:
            dates[(observation.product, observation.version)] = date
    return dates
