"""evaluation.json validates against the published schema and is deterministic."""

import gzip
import io
import json
import tarfile
from pathlib import Path

import jsonschema

from assay.extract.limits import Limits
from assay.pipeline.evaluator import Evaluator, ScanOptions
from assay.report.json_report import evaluation_json

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "evaluation.schema.json").read_text())


def _image(path: Path) -> Path:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data, mode in (("bin/su", b"su", 0o4755), ("etc/motd", b"hi\n", 0o666)):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            archive.addfile(info, io.BytesIO(data))
        escape = tarfile.TarInfo("../escape")
        escape.size = 1
        archive.addfile(escape, io.BytesIO(b"x"))
        link = tarfile.TarInfo("bin/sh")
        link.type, link.linkname = tarfile.SYMTYPE, "/bin/su"
        archive.addfile(link)
    path.write_bytes(gzip.compress(buffer.getvalue(), mtime=0))
    return path


def _evaluate(path: Path) -> dict[str, object]:
    return evaluation_json(Evaluator(ScanOptions(limits=Limits())).evaluate(path))


def test_evaluation_validates_against_schema(tmp_path: Path) -> None:
    document = _evaluate(_image(tmp_path / "fw.tar.gz"))
    jsonschema.validate(document, SCHEMA)
    summary = document["summary"]
    assert isinstance(summary, dict)
    assert summary["problems_by_kind"] == {"path-escape": 1}
    assert summary["by_kind"] == {"archive": 2, "symlink": 1, "text": 2}


def test_ids_are_stable_across_runs(tmp_path: Path) -> None:
    image = _image(tmp_path / "fw.tar.gz")
    first, second = _evaluate(image), _evaluate(image)
    for volatile in ("started", "finished", "stages"):
        first.pop(volatile)
        second.pop(volatile)
    assert first == second
