from __future__ import annotations

import copy
import json

import pytest

from nii.declarations import read_manifest, read_manifest_csv, read_manifest_json, validate_manifest
from nii.errors import InvalidDeclarationError

PARCEL = {
    "house_ref": "LX123456789CN",
    "consignor": {"name": "Shenzhen Trading Co", "address": {"city": "Shenzhen", "country": "CN"}},
    "consignee": {"name": "Jan Jansen", "address": {"city": "Utrecht", "country": "NL"}},
    "gross_mass_kg": 0.6,
    "category_of_item": "sale_of_goods",
    "items": [
        {
            "description": "Men's cotton T-shirt",
            "hs6": "610910",
            "quantity": 2,
            "value": {"amount": 12.5, "currency": "EUR"},
        }
    ],
}


def manifest(*parcels: dict[str, object]) -> dict[str, object]:
    return {"manifest_id": "M1", "source_format": "ics2_ens", "parcels": list(parcels) or [PARCEL]}


def test_valid_json_manifest_reads() -> None:
    m = read_manifest_json(json.dumps(manifest()))
    assert m.parcels[0].items[0].hs6 == "610910"
    assert m.parcels[0].items[0].value is not None and m.parcels[0].items[0].value.amount == 12.5
    assert m.by_ref()["LX123456789CN"] is m.parcels[0]


def test_every_problem_is_reported_with_its_path() -> None:
    bad = copy.deepcopy(PARCEL)
    bad["items"] = [{"description": "ok goods", "hs6": "85171"}, {"hs6": "851713", "value": {"amount": 1}}]
    bad["consignee"] = {"address": {"country": "Netherlands"}}
    with pytest.raises(InvalidDeclarationError) as exc:
        validate_manifest(manifest(PARCEL, bad))
    paths = {p.path for p in exc.value.problems}
    assert {
        "parcels[1].items[0].hs6",
        "parcels[1].items[1].description",
        "parcels[1].items[1].value.currency",
        "parcels[1].consignee.address.country",
    } <= paths
    assert "parcels[1].items[0].hs6" in str(exc.value)


def test_malformed_json_names_line_and_column() -> None:
    with pytest.raises(InvalidDeclarationError, match=r"line 3 column"):
        read_manifest_json('{\n  "manifest_id": "x",\n  "parcels": [,]\n}')
    with pytest.raises(InvalidDeclarationError, match="not UTF-8"):
        read_manifest_json(b"\xff\xfe{")
    with pytest.raises(InvalidDeclarationError, match="expected a JSON object"):
        read_manifest_json("[1, 2]")


CSV = """house_ref,consignee.name,consignee.address.country,consignee.address.city,consignor.name,\
consignor.address.country,consignor.address.city,gross_mass_kg,item.description,item.hs6,item.quantity,\
item.value.amount,item.value.currency
A1,Jan,NL,Utrecht,Shop,CN,Shenzhen,1.2,Men's cotton T-shirt,610910,2,12.5,EUR
A1,,,,,,,,Running shoes,640411,1,40,EUR
B2,Eva,DE,Berlin,Shop,CN,Shenzhen,0.3,Smartphone,851713,1,120,USD
"""


def test_csv_rows_group_into_parcels() -> None:
    m = read_manifest_csv(CSV, source="x.csv")
    assert [p.house_ref for p in m.parcels] == ["A1", "B2"]
    assert [i.description for i in m.parcels[0].items] == ["Men's cotton T-shirt", "Running shoes"]
    assert m.parcels[0].consignee is not None and m.parcels[0].consignee.name == "Jan"
    assert m.parcels[1].items[0].value is not None and m.parcels[1].items[0].value.currency == "USD"
    assert m.manifest_id == "x.csv" and m.source_format == "other"


def test_csv_problems_name_the_line() -> None:
    conflicting = CSV.replace("A1,,,,,,,,Running", "A1,Piet,,,,,,,Running")
    with pytest.raises(InvalidDeclarationError) as exc:
        read_manifest_csv(conflicting)
    assert exc.value.problems[0].path == "parcels[0].consignee.name"
    assert "line 3" in exc.value.problems[0].message
    bad_hs = CSV.replace("640411", "6404")
    with pytest.raises(InvalidDeclarationError) as exc:
        read_manifest_csv(bad_hs)
    assert exc.value.problems[0].path == "parcels[0].items[1].hs6"
    assert "CSV line 3" in exc.value.problems[0].message


def test_malformed_csv_is_an_error_not_a_crash() -> None:
    with pytest.raises(InvalidDeclarationError, match="line 2: 3 fields, header has 2"):
        read_manifest_csv("house_ref,item.description\nA,b,c\n")
    with pytest.raises(InvalidDeclarationError, match="no 'house_ref' column"):
        read_manifest_csv("ref,item.description\nA,b\n")
    with pytest.raises(InvalidDeclarationError, match="empty CSV"):
        read_manifest_csv("")
    with pytest.raises(InvalidDeclarationError, match="malformed CSV"):
        read_manifest_csv('house_ref,item.description\nA,"unterminated\n')


def test_read_manifest_by_suffix(tmp_path: object) -> None:
    from pathlib import Path

    d = Path(str(tmp_path))
    (d / "m.json").write_text(json.dumps(manifest()), encoding="utf-8")
    (d / "m.csv").write_text(CSV, encoding="utf-8")
    assert read_manifest(d / "m.json").manifest_id == "M1"
    assert read_manifest(d / "m.csv").manifest_id == "m"
    with pytest.raises(InvalidDeclarationError, match="cannot read"):
        read_manifest(d / "missing.json")
