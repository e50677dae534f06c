"""Explains one tool's misses and false positives from results.json, for whoever writes the rules.

`python explain.py [--tool assay] [--contexts 2]`: per product, how many of its truth files the
tool missed, whether the version text is in them at all, and the bytes around the first places
it is (what a version pattern would have to match); then the false positives grouped by product,
version and kind, with the text that was matched where the tool reported it (assay evidence).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from run_identify import CORPUS, RESULTS, WORK

CONTEXT = 48


def contexts(path: Path, version: str, limit: int) -> list[str]:
    """Printable text around the first places the version appears in the file."""
    data = path.read_bytes()
    found = []
    for match in re.finditer(re.escape(version.encode()), data):
        start, end = max(0, match.start() - CONTEXT), match.end() + CONTEXT
        text = data[start:end].decode("ascii", "replace")
        found.append(re.sub(r"[^\x20-\x7e]+", "·", text))
        if len(found) == limit:
            break
    return found


def explain_misses(tool: dict[str, Any], limit: int) -> None:
    """Misses grouped by product, with the version text's surroundings."""
    by_product: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for miss in tool["misses"]:
        by_product[miss["product"]].append(miss)
    print(f"== {tool['tool']}: misses by product (missed/truth, version text present)")
    for product, misses in sorted(by_product.items(), key=lambda kv: -len(kv[1])):
        stats = tool["per_product"][product]
        present = sum(m["identifiable"] for m in misses)
        versions = sorted({m["version"] for m in misses})
        reported = sorted({v for m in misses for v in m["reported"]})
        line = f"{product:16} {len(misses):3}/{stats['truth']:<3} text in {present:3}  "
        line += f"truth {', '.join(versions)}" + (f"  reported {reported}" if reported else "")
        print(line)
        sample = next((m for m in misses if m["identifiable"]), None)
        if sample and limit:
            print(f"    e.g. {sample['path']}")
            for text in contexts(CORPUS / sample["path"], sample["version"], limit):
                print(f"      | {text}")


def matched_texts(tool_name: str) -> dict[tuple[str, str, str], str]:
    """(file, product, version) -> the text assay matched there, from its evaluation.json."""
    evaluation = WORK / "out" / "assay" / "evaluation.json"
    if tool_name != "assay" or not evaluation.exists():
        return {}
    data = json.loads(evaluation.read_text())
    paths = {a["id"]: a["chain"][1].lstrip("/") for a in data["artifacts"]}
    texts = {}
    for component in data["components"]:
        for evidence in component["evidence"]:
            key = (paths.get(evidence["artifact"], ""), component["product"], component["version"])
            texts[key] = evidence.get("matched", "")
    return texts


def explain_false_positives(tool: dict[str, Any]) -> None:
    """False positives grouped by (product, version, kind), with an example and its match."""
    texts = matched_texts(tool["tool"])
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for fp in tool["false_positives"]:
        groups[(fp["product"], fp["version"], fp["kind"])].append(fp)
    print(f"== {tool['tool']}: false positives (product, version, kind: files)")
    for (product, version, kind), rows in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        example = rows[0]
        expected = f" truth {example['expected']}" if example["expected"] else ""
        print(f"{product:16} {version[:24]:24} {kind:14} {len(rows):3}{expected}")
        print(f"    e.g. {example['path']}")
        matched = texts.get((example["path"], product, version))
        if matched:
            print(f"      matched: {matched[:120]}")


def main() -> None:
    """Print the explanation for one tool of the last run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", default="assay")
    parser.add_argument("--contexts", type=int, default=2, help="version-text excerpts per miss")
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text())
    (tool,) = [t for t in results["tools"] if t["tool"] == args.tool]
    explain_misses(tool, args.contexts)
    explain_false_positives(tool)


if __name__ == "__main__":
    main()
