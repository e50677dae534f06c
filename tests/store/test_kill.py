"""A scan killed (SIGKILL) while it writes its evaluation leaves the store consistent: the
evaluation is not there at all, earlier ones are intact, and the store opens and saves again."""

import copy
import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from assay.store import EvaluationStore

# Saves the document at argv[2] into the store at argv[1]; once every vulnerability row of the
# transaction is written (not yet committed) it says so and waits to be killed.
WRITER = """
import json, sys, time
from sqlalchemy import event
from assay.store import EvaluationStore

store = EvaluationStore(sys.argv[1])
document = json.loads(open(sys.argv[2], encoding="utf-8").read())

@event.listens_for(store.engine, "after_cursor_execute")
def pause(connection, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith("INSERT INTO VULNERABILITIES"):
        print("mid-write", flush=True)
        time.sleep(600)

store.save(document)
print("saved", flush=True)
"""


def big_document(document: dict[str, Any], vulnerabilities: int) -> dict[str, Any]:
    """A copy of `document` as another release with many vulnerabilities."""
    big = copy.deepcopy(document)
    template = document["vulnerabilities"][0]
    big["release"] |= {"id": "0123456789abcdef", "version": "9.9"}
    big["started"] = "2030-01-01T00:00:00Z"
    big["vulnerabilities"] = [
        template | {"id": f"{n:016x}", "cve": f"CVE-2030-{n:05d}"} for n in range(vulnerabilities)
    ]
    return big


def test_a_scan_killed_mid_write_leaves_the_store_consistent(
    store_url: str, release_documents: list[dict[str, Any]], tmp_path: Path
) -> None:
    first, big = release_documents[0], big_document(release_documents[0], 20_000)
    with EvaluationStore(store_url) as store:
        store.save(first)
    document_file = tmp_path / "big.json"
    document_file.write_text(json.dumps(big), encoding="utf-8")
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, store_url, str(document_file)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "mid-write"
    writer.send_signal(signal.SIGKILL)
    assert writer.wait(timeout=60) == -signal.SIGKILL
    with EvaluationStore(store_url) as store:
        history = store.history(first["release"]["product"])
        assert [entry["release"] for entry in history] == ["1.0"]  # the big one not at all
        assert store.document(history[0]["id"]) == first
        key = store.save(big)  # the store still takes writes
        saved = store.document(key)
    assert saved is not None
    assert len(saved["vulnerabilities"]) == 20_000
