from __future__ import annotations

import pytest

from nii.crosscheck import crosscheck
from nii.detection import Detection
from nii.tax import TaxConfig, estimate_tax, parse_tax_config
from tests.nii.crosscheck.test_engine import parcel

CFG = TaxConfig(vat_rate=0.21, duty_rates={"61": 0.12, "8517": 0.0, "2204": 0.13}, default_duty_rate=0.05)


def tax_of(p: object, detections: list[Detection] | None = None) -> dict[str, object]:
    r = crosscheck(detections or [], p)  # type: ignore[arg-type]
    return estimate_tax(p, r.declared_items, r.alerts, config=CFG).to_json()  # type: ignore[arg-type]


def test_vat_from_first_euro_no_duty_under_150() -> None:
    t = tax_of(parcel(("Men's cotton T-shirt", "610910", 2, 40.0)))
    assert t["duty"] == 0.0 and t["vat"] == pytest.approx(8.4) and t["duty_de_minimis_applied"] is True


def test_duty_above_150() -> None:
    t = tax_of(parcel(("Men's wool coat", "620140", 1, 100.0), ("Men's cotton T-shirt", "610910", 5, 100.0)))
    # 6201 falls back to the default 5 %, 6109 takes the chapter 61 rate
    assert t["duty"] == pytest.approx(0.05 * 100 + 0.12 * 100)
    assert t["vat"] == pytest.approx(0.21 * (200 + 17))


def test_alcohol_pays_duty_below_150() -> None:
    t = tax_of(parcel(("Red wine Rioja", "220421", 2, 30.0)))
    assert t["duty"] == pytest.approx(0.13 * 30)


def test_revenue_at_risk_of_undervaluation() -> None:
    p = parcel(("Smartphone", "851713", 1, 10.0))
    t = tax_of(p, [Detection("phone", 0.9, (0, 0, 5, 5))])
    # corrected to the typical 350 EUR: VAT 0.21 * 350 instead of 0.21 * 10; duty 0 for 8517
    assert t["revenue_at_risk"] == pytest.approx(0.21 * 340)


def test_bad_config_is_refused() -> None:
    from nii.errors import ConfigError

    with pytest.raises(ConfigError, match="vat_rate"):
        parse_tax_config({"vat_rate": 21})
    with pytest.raises(ConfigError, match="duty_rates"):
        parse_tax_config({"duty_rates": {"6x": 0.1}})


def test_shipped_config_loads() -> None:
    from nii.tax import load_tax_config

    cfg = load_tax_config()
    assert cfg.vat_rate == 0.21 and cfg.duty_de_minimis_eur == 150.0
    assert cfg.duty_rate("610910") == 0.12 and cfg.duty_rate("640411") == 0.169 and cfg.duty_rate("999999") == 0.035
    assert cfg.excluded_from_de_minimis("220830") and not cfg.excluded_from_de_minimis("851713")
