"""Loading inventories from YAML and CSV: the fields, their validation and the taxonomy."""

from datetime import date
from pathlib import Path

import pytest

from assay.network import inventory as inventory_module
from assay.network.errors import NetworkInputError
from assay.network.functions import all_functions, lookup, suggest
from assay.network.inventory import load_inventory
from assay.network.model import Element, Layer, SiteClass
from tests.factories.network import write_rows

BASE: dict[str, object] = {
    "id": "gnb-1",
    "operator": "Albion Mobile",
    "network_type": "5G",
    "function": "gNodeB",
    "vendor": "Ericsson",
    "product": "RAN",
    "release": "22.4",
    "install_date": "2021-03-04",
    "site": "site-1",
    "site_class": "",
    "region": "North",
    "traffic_share": "12.5%",
    "connections": "1200",
}


def _load(tmp_path: Path, fmt: str, *rows: dict[str, object]) -> tuple[Element, ...]:
    path = write_rows(tmp_path / f"inventory.{fmt}", list(rows))
    return load_inventory(path).elements


def _second_row(path: Path) -> int:
    """The line the second element starts on."""
    if path.suffix == ".csv":
        return 3
    starts = [n for n, line in enumerate(path.read_text().splitlines(), 1) if line[:2] == "- "]
    return starts[1]


def _error(tmp_path: Path, fmt: str, **change: object) -> str:
    """The message of loading BASE and a changed second row; {row} stands for its line."""
    second = {**BASE, "id": "gnb-2", **change}
    with pytest.raises(NetworkInputError) as raised:
        _load(tmp_path, fmt, BASE, second)
    row = _second_row(tmp_path / f"inventory.{fmt}")
    return str(raised.value).replace(f":{row}:", ":{row}:")


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
def test_a_row_becomes_an_element(tmp_path: Path, fmt: str) -> None:
    (element,) = _load(tmp_path, fmt, BASE)
    assert element.function == "gNB"
    assert element.layer is Layer.ACCESS
    assert element.install_date == date(2021, 3, 4)
    assert element.traffic_share == 12.5
    assert element.connections == 1200
    assert element.site_class is SiteClass.NONE
    assert element.release == "22.4"
    assert str(element.origin) == f"inventory.{fmt}:2"


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"function": "AMFF"}, "inventory.{fmt}:{row}: field 'function': unknown network "
         "function 'AMFF' (did you mean AMF?)"),
        ({"vendor": ""}, "inventory.{fmt}:{row}: field 'vendor': required, but empty"),
        ({"vendor": None}, "inventory.{fmt}:{row}: field 'vendor': required, but empty"),
        ({"install_date": "04/03/2021"}, "inventory.{fmt}:{row}: field 'install_date': "
         "malformed date '04/03/2021', expected YYYY-MM-DD"),
        ({"install_date": "2021-02-30"}, "field 'install_date': malformed date '2021-02-30'"),
        ({"traffic_share": "120%"}, "inventory.{fmt}:{row}: field 'traffic_share': share 120% "
         "is outside 0–100 %"),
        ({"traffic_share": "lots"}, "field 'traffic_share': expected a percentage"),
        ({"connections": "-3"}, "inventory.{fmt}:{row}: field 'connections': negative count -3"),
        ({"connections": "2.5"}, "field 'connections': expected a whole number"),
        ({"site": ""}, "field 'site': required"),
        ({"operator": ""}, "field 'operator': required"),
        ({"id": ""}, "field 'id': required"),
        ({"network_type": "6G"}, "field 'network_type': unknown network type '6G'"),
        ({"site_class": "secret"}, "field 'site_class': unknown site class 'secret'"),
        ({"function": "UPF", "layer": "access"}, "inventory.{fmt}:{row}: field 'layer': layer "
         "'access' contradicts function UPF, which is core"),
        ({"layer": "radio"}, "field 'layer': unknown layer 'radio'"),
        ({"id": "gnb-1"}, "inventory.{fmt}:{row}: field 'id': duplicate element id 'gnb-1' "
         "(first at row 2)"),
    ],
)  # fmt: skip
def test_each_field_is_validated(
    tmp_path: Path, fmt: str, change: dict[str, object], expected: str
) -> None:
    assert expected.replace("{fmt}", fmt) in _error(tmp_path, fmt, **change)


def test_yaml_numbers_that_lose_their_spelling_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "inventory.yaml"
    path.write_text(
        "operator: Albion Mobile\nnetwork_type: 5G\nelements:\n"
        "  - {id: e1, function: eNB, vendor: Nokia, site: s1, release: 3.10}\n"
    )
    with pytest.raises(NetworkInputError, match=r"inventory.yaml:4: field 'release': YAML read"):
        load_inventory(path)


def test_yaml_defaults_dates_and_numbers(tmp_path: Path) -> None:
    path = tmp_path / "inventory.yaml"
    path.write_text(
        "# the operator's 4G network\noperator: Albion Mobile\nnetwork_type: LTE\nelements:\n"
        "  - id: 7\n    function: enodeb\n    vendor: Nokia\n    site: s1\n"
        "    install_date: 2020-05-06\n    traffic_share: 3\n    connections: 40\n"
        "    X-Owner: radio team\n"
        "  - {id: e2, operator: Borealis, function: UPF, vendor: Nokia, site: s2, "
        "network_type: 5G, site_class: Defence}\n"
    )
    first, second = load_inventory(path).elements
    assert (first.id, first.operator, first.network_type, first.function) == (
        "7", "Albion Mobile", "4G", "eNB"
    )  # fmt: skip
    assert (first.install_date, first.traffic_share, first.connections) == (date(2020, 5, 6), 3, 40)
    assert first.origin.row == 5
    assert (second.operator, second.network_type, second.layer) == ("Borealis", "5G", Layer.CORE)
    assert second.site_class is SiteClass.MILITARY
    assert second.origin.row == 13


def test_csv_headers_are_case_free_in_any_order_with_bom_and_own_columns(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text(
        "\ufeffVendor;Function;Element ID;Operator;Network-Type;Site;X-Notes;Traffic Share\n"
        "Nokia;OLT;olt-1;Albion;FTTP;ex-1;keep;0.5\n"
        ";;;;;;;\n"
        "\n"
        "Ericsson;small cell;sc-1;Albion;full fibre;ex-2;;\n",
        encoding="utf-8",
    )
    first, second = load_inventory(path).elements
    assert (first.id, first.vendor, first.network_type, first.traffic_share) == (
        "olt-1", "Nokia", "full-fibre", 0.5
    )  # fmt: skip
    assert (second.function, second.origin.row, second.traffic_share) == ("small cell", 5, None)


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
def test_an_unknown_column_is_an_error_with_a_suggestion(tmp_path: Path, fmt: str) -> None:
    message = _error(tmp_path, fmt, vendr="Nokia")
    assert "unknown column 'vendr' (did you mean vendor?)" in message
    assert message.startswith(f"inventory.{fmt}:")


def test_a_function_of_ones_own_needs_a_layer(tmp_path: Path) -> None:
    (element,) = _load(tmp_path, "csv", {**BASE, "function": "x-probe", "layer": "Transport"})
    assert (element.function, element.layer) == ("x-probe", Layer.TRANSPORT)
    with pytest.raises(NetworkInputError, match="field 'layer': required for a function"):
        _load(tmp_path, "csv", {**BASE, "function": "x-probe"})


def test_a_matching_layer_is_accepted(tmp_path: Path) -> None:
    (element,) = _load(tmp_path, "yaml", {**BASE, "function": "upf", "layer": "core"})
    assert (element.function, element.layer) == ("UPF", Layer.CORE)


def test_ragged_and_broken_files(tmp_path: Path) -> None:
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("id,function\nx,AMF,extra\n")
    with pytest.raises(NetworkInputError, match=r"ragged.csv:2: row has 3 cells, the header has 2"):
        load_inventory(ragged)
    binary = tmp_path / "latin.csv"
    binary.write_bytes("id,vendor\nx,Télé\n".encode("latin-1"))
    with pytest.raises(NetworkInputError, match=r"latin\.csv: not UTF-8"):
        load_inventory(binary)
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("elements:\n  - {id: x\n")
    with pytest.raises(NetworkInputError, match=r"bad\.yaml:3: invalid YAML"):
        load_inventory(bad_yaml)
    no_list = tmp_path / "nolist.yaml"
    no_list.write_text("operator: A\n")
    with pytest.raises(NetworkInputError, match=r"expected a mapping with an 'elements:' list"):
        load_inventory(no_list)
    with pytest.raises(NetworkInputError, match=r"missing\.csv: cannot read"):
        load_inventory(tmp_path / "missing.csv")


def test_bounds_refuse_large_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_rows(tmp_path / "inventory.csv", [BASE, {**BASE, "id": "b"}, {**BASE, "id": "c"}])
    monkeypatch.setattr(inventory_module, "MAX_ROWS", 2)
    with pytest.raises(NetworkInputError, match="more than 2 elements"):
        load_inventory(path)
    monkeypatch.setattr(inventory_module, "MAX_BYTES", 100)
    with pytest.raises(NetworkInputError, match="over the 0 MB limit"):
        load_inventory(path)


def test_taxonomy_names_aliases_and_layers() -> None:
    assert lookup("UPF") is not None and lookup("upf").layer is Layer.CORE  # type: ignore[union-attr]
    for alias, name in [
        ("gnodeb", "gNB"),
        ("ENODEB", "eNB"),
        ("5GC-AMF", "AMF"),
        ("ONU", "ONT"),
        ("LIG", "lawful intercept"),
        ("IPX", "interconnect"),
        ("cu cp", "CU-CP"),
    ]:
        function = lookup(alias)
        assert function is not None and function.name == name, alias
    layers = {f.name: f.layer for f in all_functions()}
    assert layers["OSS"] is layers["AAA"] is layers["NFVI"] is Layer.MANAGEMENT
    assert layers["internet gateway"] is layers["SEPP"] is layers["UPF"] is Layer.CORE
    assert layers["DWDM" if "DWDM" in layers else "optical transport"] is Layer.TRANSPORT
    assert lookup("AAA").is_ncsc_core and not lookup("gNB").is_ncsc_core  # type: ignore[union-attr]
    assert suggest("SMFF") == "SMF" and suggest("zzzzzz") is None and lookup("AMFF") is None
