"""Risk score and lane of a parcel (configs/risk.yaml).

Rules are chosen by name from :data:`RISK_RULES`; each gives hits (a contribution in [0, 1], a reason, perhaps a
minimum lane). The score is 1 - prod(1 - contribution), scaled by the trader's AEO factor and combined with the
seizure history; the lane is the highest whose threshold the score reaches, raised to any rule's minimum lane and
to the random-selection lane when the parcel's seeded draw falls under the minimum random rate.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nii.crosscheck.engine import Alert
from nii.declarations.checks import Finding
from nii.declarations.models import Parcel
from nii.errors import ConfigError
from nii.registry import Registry
from nii.resources import config_path, read_yaml

LANES = ("green", "blue", "yellow", "red")


@dataclass(frozen=True)
class TraderProfile:
    """What customs knows of the trader: AEO status (``none``, ``AEOC``, ``AEOS``, ``AEOF``,
    ``trusted_trader_other``) and the number of past seizures."""

    aeo_status: str = "none"
    seizures: int = 0


@dataclass(frozen=True)
class RiskInput:
    """One parcel as the risk rules see it."""

    ooi_id: str
    parcel: Parcel | None = None
    alerts: Sequence[Alert] = ()
    findings: Sequence[Finding] = ()
    trader: TraderProfile | None = None


@dataclass(frozen=True)
class Hit:
    contribution: float
    reason: str
    min_lane: str | None = None


Rule = Callable[[RiskInput], list[Hit]]
RuleFactory = Callable[[Mapping[str, Any]], Rule]
RISK_RULES: Registry[RuleFactory] = Registry("risk rule")


@dataclass(frozen=True)
class RiskAssessment:
    score: float
    lane: str
    reasons: list[str]
    random_draw: float
    randomly_selected: bool

    def to_json(self) -> dict[str, object]:
        return {
            "score": round(self.score, 4),
            "lane": self.lane,
            "reasons": list(self.reasons),
            "random_selection": {"draw": round(self.random_draw, 6), "selected": self.randomly_selected},
        }


def _lane(name: object, where: str) -> str:
    if name not in LANES:
        raise ConfigError(f"{where}: lane {name!r}; expected one of {LANES}")
    return str(name)


def _max_lane(a: str, b: str | None) -> str:
    return a if b is None or LANES.index(a) >= LANES.index(b) else b


@dataclass
class RiskEngine:
    """The configured rules, thresholds, random selection and trader adjustments."""

    rules: list[tuple[str, Rule]]
    thresholds: Mapping[str, float]
    random_rate: float = 0.02
    random_lane: str = "red"
    seed: int = 0
    aeo_factor: Mapping[str, float] = field(default_factory=dict)
    per_seizure: float = 0.2
    max_seizures: float = 0.8

    def random_draw(self, ooi_id: str) -> float:
        """The parcel's draw in [0, 1): sha256 of "<seed>:<ooi_id>", deterministic and auditable."""
        digest = hashlib.sha256(f"{self.seed}:{ooi_id}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2.0**64

    def assess(self, inp: RiskInput) -> RiskAssessment:
        hits = [h for _, rule in self.rules for h in rule(inp)]
        keep = 1.0
        for h in hits:
            keep *= 1.0 - min(max(h.contribution, 0.0), 1.0)
        score = 1.0 - keep
        reasons = [h.reason for h in hits]
        min_lane = None
        for h in hits:
            if h.min_lane:
                min_lane = _max_lane(h.min_lane, min_lane)
        trader = inp.trader
        if trader is not None:
            factor = self.aeo_factor.get(trader.aeo_status)
            if factor is not None and score > 0:
                score *= factor
                reasons.append(f"trader is {trader.aeo_status}: score x{factor:g}")
            if trader.seizures > 0:
                add = min(self.max_seizures, self.per_seizure * trader.seizures)
                score = 1.0 - (1.0 - score) * (1.0 - add)
                reasons.append(f"trader has {trader.seizures} past seizure(s): +{add:g}")
        lane = next((name for name in LANES[::-1] if score >= self.thresholds.get(name, 1.1)), "green")
        if min_lane and LANES.index(min_lane) > LANES.index(lane):
            reasons.append(f"a rule requires at least {min_lane}")
        lane = _max_lane(lane, min_lane)
        draw = self.random_draw(inp.ooi_id)
        selected = draw < self.random_rate
        verdict = "selected" if selected else "not selected"
        reasons.append(
            f"random selection {verdict}: draw {draw:.4f} vs rate {self.random_rate:g} (seed {self.seed}, "
            f"sha256 of seed:ooi_id)"
        )
        if selected:
            lane = _max_lane(lane, self.random_lane)
        return RiskAssessment(score, lane, reasons, draw, selected)


def parse_risk_config(data: object, source: str = "<risk>") -> RiskEngine:
    """Builds the engine from parsed YAML; rules are looked up by name in :data:`RISK_RULES`."""
    import nii.risk_rules  # noqa: F401  (registers the built-in rules)

    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping")
    lanes = data.get("lanes") or {}
    thresholds = {_lane(k, f"{source}: lanes"): float(v) for k, v in lanes.items()}
    rules: list[tuple[str, Rule]] = []
    for i, spec in enumerate(data.get("rules") or []):
        if not isinstance(spec, dict) or "rule" not in spec:
            raise ConfigError(f"{source}: rules[{i}] needs a 'rule' name")
        try:
            factory = RISK_RULES.get(spec["rule"])
        except KeyError as exc:
            raise ConfigError(f"{source}: rules[{i}]: {exc.args[0]}") from None
        params = {k: v for k, v in spec.items() if k != "rule"}
        try:
            rules.append((spec["rule"], factory(params)))
        except (TypeError, ValueError, KeyError) as exc:
            raise ConfigError(f"{source}: rules[{i}] ({spec['rule']}): {exc}") from None
    rnd = data.get("random_selection") or {}
    trader = data.get("trader") or {}
    rate = float(rnd.get("rate", 0.02))
    if not 0 <= rate <= 1:
        raise ConfigError(f"{source}: random_selection.rate {rate}; expected a share in [0, 1]")
    return RiskEngine(
        rules=rules,
        thresholds=thresholds,
        random_rate=rate,
        random_lane=_lane(rnd.get("lane", "red"), f"{source}: random_selection.lane"),
        seed=int(rnd.get("seed", 0)),
        aeo_factor={str(k): float(v) for k, v in (trader.get("aeo_factor") or {}).items()},
        per_seizure=float(trader.get("per_seizure", 0.2)),
        max_seizures=float(trader.get("max_seizures_contribution", 0.8)),
    )


def load_risk_engine(path: Path | None = None) -> RiskEngine:
    """Loads configs/risk.yaml (or ``path``)."""
    if path is None:
        return _default_engine()
    return parse_risk_config(read_yaml(path), str(path))


@functools.cache
def _default_engine() -> RiskEngine:
    return load_risk_engine(config_path("risk.yaml"))


def assess_risk(inp: RiskInput, engine: RiskEngine | None = None) -> RiskAssessment:
    """Score, lane and reasons of one parcel with the shipped rules (or ``engine``)."""
    return (engine or load_risk_engine()).assess(inp)
