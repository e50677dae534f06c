"""The CycloneDX dependency graph of an SBOM, built in one pass and serialised in linear time.

cyclonedx-python-lib registers each dependency with a linear search of the graph, and every
outputter runs `Bom.validate()`, which registers every component again: O(n²), minutes for a root
file system of 20,000 files (issue CycloneDX/cyclonedx-python-lib#1006, fix proposed in #1007).
Here the graph is built at once, with an entry for every component, and the BOM's registration
answers "already registered" from a set, as #1007 does, before falling back to the library's own.
"""

from collections.abc import Iterable, Mapping

from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component
from cyclonedx.model.dependency import Dependable, Dependency


def set_graph(bom: Bom, edges: Mapping[str, tuple[Component, list[Component]]]) -> None:
    """Make the BOM's dependency graph: bom-ref → (component, what it depends on). Every component
    of the BOM gets an entry, with no dependencies unless `edges` gives some."""
    nodes: dict[str, tuple[Component, list[Component]]] = {
        str(c.bom_ref): (c, []) for c in bom.components
    }
    if bom.metadata.component is not None:
        nodes[str(bom.metadata.component.bom_ref)] = (bom.metadata.component, [])
    nodes.update(edges)
    bom.dependencies = [
        Dependency(ref=node.bom_ref, dependencies=[Dependency(ref=d.bom_ref) for d in needs])
        for node, needs in nodes.values()
    ]


def register_in_linear_time(bom: Bom) -> None:
    """Let the BOM's validation find registered dependencies in a set instead of a list."""
    registered = {str(d.ref) for d in bom.dependencies}
    library_registration = bom.register_dependency

    def register(target: Dependable, depends_on: Iterable[Dependable] | None = None) -> None:
        if depends_on is None and str(target.bom_ref) in registered:
            return
        library_registration(target, depends_on)
        registered.add(str(target.bom_ref))

    bom.register_dependency = register  # type: ignore[method-assign]
