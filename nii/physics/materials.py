"""Materials that parcels hold, and their X-ray mass attenuation.

A :class:`Material` is a chemical formula (xraydb syntax, fractional stoichiometry allowed) and a density. Mixtures
given by mass fraction (glass, tobacco, FR4, ...) are turned into one atom-ratio formula by
:func:`formula_from_mass_fractions`. Densities are those of the solid material (fibre, crystal, metal) unless the
name says otherwise (``pu_foam``, ``cardboard``, ``paper``): a simulator picks the thickness, and the forward model
only sees areal density (g/cm^2).

Mass attenuation comes from xraydb (Elam / Chantler tables, total cross-section including coherent scattering,
which a collimated fan beam removes from the primary beam) and is cached per material and energy grid.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from nii.errors import NIIError
from nii.registry import Registry

ZEFF_EXPONENT = 2.94
"""Exponent of the power-law effective atomic number (Mayneord / Spiers)."""


class MaterialError(NIIError):
    """An unknown material name or a formula xraydb cannot parse."""


@dataclass(frozen=True)
class Material:
    """A named material: ``formula`` in xraydb syntax (e.g. ``C2H4``, ``Fe0.72Cr0.18Ni0.08``), density in g/cm^3."""

    name: str
    formula: str
    density_g_cm3: float
    note: str = ""

    def __post_init__(self) -> None:
        if not self.density_g_cm3 > 0:
            raise MaterialError(f"material {self.name!r}: density must be > 0 g/cm^3, got {self.density_g_cm3}")


MATERIALS: Registry[Material] = Registry("material")


def formula_from_mass_fractions(parts: Mapping[str, float]) -> str:
    """Atom-ratio formula of a mixture given as ``{component formula: mass fraction}`` (fractions are normalised).

    >>> formula_from_mass_fractions({"H2O": 1.0})
    'H100O50'
    """
    import xraydb

    total = float(sum(parts.values()))
    if total <= 0 or any(w < 0 for w in parts.values()):
        raise MaterialError(f"mass fractions must be >= 0 and sum > 0, got {dict(parts)}")
    atoms: dict[str, float] = {}
    for formula, weight in parts.items():
        comp = _parse(formula)
        molar_mass = sum(n * xraydb.atomic_mass(el) for el, n in comp.items())
        for el, n in comp.items():
            atoms[el] = atoms.get(el, 0.0) + (weight / total) / molar_mass * n
    scale = 100.0 / max(atoms.values())  # the most abundant element gets 100 atoms
    return "".join(f"{el}{n * scale:.5g}" for el, n in sorted(atoms.items()))


def _parse(formula: str) -> dict[str, float]:
    import xraydb

    try:
        comp = xraydb.chemparse(formula)
    except Exception as exc:  # xraydb raises bare ValueError/KeyError types on bad formulas
        raise MaterialError(f"cannot parse chemical formula {formula!r}: {exc}") from exc
    if not comp:
        raise MaterialError(f"chemical formula {formula!r} names no element")
    return {str(el): float(n) for el, n in comp.items()}


def _add(name: str, formula: str | Mapping[str, float], density: float, note: str = "") -> None:
    f = formula if isinstance(formula, str) else formula_from_mass_fractions(formula)
    MATERIALS.add(name, Material(name, f, density, note))


# --- organics (Zeff < 10) -------------------------------------------------------------------------------------
_add("air", {"N2": 0.755, "O2": 0.232, "Ar": 0.013}, 0.001205)
_add("water", "H2O", 1.0)
_add("polyethylene", "C2H4", 0.94)
_add("polypropylene", "C3H6", 0.90)
_add("polystyrene", "C8H8", 1.05)
_add("pet", "C10H8O4", 1.38, "polyethylene terephthalate (bottles)")
_add("pvc", "C2H3Cl", 1.38, "polyvinyl chloride; Cl lifts Zeff to ~15 (shows green)")
_add("abs", {"C8H8": 0.55, "C4H6": 0.20, "C3H3N": 0.25}, 1.05, "acrylonitrile butadiene styrene, approximate")
_add("pmma", "C5H8O2", 1.18)
_add("polycarbonate", "C16H14O3", 1.20)
_add("pom", "CH2O", 1.41, "polyoxymethylene (Delrin), a calibration reference")
_add("ptfe", "C2F4", 2.20)
_add("nylon", "C12H22N2O2", 1.14, "nylon 6,6")
_add("rubber", "C5H8", 0.93, "natural rubber (polyisoprene), no fillers")
_add("silicone", "C2H6OSi", 0.97, "PDMS")
_add("cellulose", "C6H10O5", 1.50)
_add("paper", "C6H10O5", 0.80, "bulk paper (cellulose + air)")
_add("cardboard", "C6H10O5", 0.70, "solid board; corrugated board is thinner in effect")
_add("cotton", "C6H10O5", 1.54, "fibre density; folded garments are mostly air")
_add("wool", {"C": 0.50, "H": 0.07, "N": 0.16, "O": 0.23, "S": 0.04}, 1.31, "keratin, approximate")
_add("leather", {"C": 0.50, "H": 0.07, "N": 0.18, "O": 0.245, "S": 0.005}, 0.86, "collagen, approximate")
_add("pu_foam", "C25H42N2O6", 0.03, "polyurethane foam, bulk density")
_add("sugar", "C12H22O11", 1.59)
_add("cocaine_hcl", "C17H22ClNO4", 1.20, "pressed powder")
_add("heroin", "C21H23NO5", 1.20, "pressed powder (diacetylmorphine base)")
_add(
    "cannabis",
    {"C6H10O5": 0.85, "C18H32O2": 0.05, "N": 0.03, "K": 0.02, "Ca": 0.02, "P": 0.005, "Mg": 0.005, "SiO2": 0.02},
    0.80,
    "dried plant matter, compressed; cellulose-like organics + ~7 % minerals",
)
_add(
    "tobacco",
    {"C6H10O5": 0.80, "N": 0.03, "K": 0.04, "Ca": 0.04, "Cl": 0.01, "Mg": 0.005, "P": 0.005, "SiO2": 0.02, "H2O": 0.05},
    0.35,
    "cut tobacco as filled in cigarettes; cellulose + ~12 % minerals and moisture",
)
_add("ethanol_40", {"H2O": 0.66, "C2H6O": 0.34}, 0.95, "40 % vol. spirits")
_add("gunpowder", "C6H7N3O11", 1.60, "smokeless powder (nitrocellulose) grains")
_add("black_powder", {"KNO3": 0.75, "C": 0.15, "S": 0.10}, 1.70)
_add("graphite", "C", 2.20, "anode material of lithium-ion cells")
_add(
    "fr4",
    {"SiO2": 0.33, "CaO": 0.13, "Al2O3": 0.08, "B2O3": 0.05, "C18H21O3": 0.36, "Br": 0.05},
    1.85,
    "glass-epoxy laminate of printed circuit boards, approximate",
)

# --- inorganics and light metals (Zeff 10-18) ---------------------------------------------------------------------
_add("sodium_fluoride", "NaF", 2.56, "calibration reference (Zeff 10.2)")
_add("sodium", "Na", 0.97, "calibration reference (Z 11)")
_add("glass", {"SiO2": 0.73, "Na2O": 0.14, "CaO": 0.09, "MgO": 0.04}, 2.50, "soda-lime glass")
_add("salt", "NaCl", 2.16)
_add("ceramic", "Al2O3", 3.95, "alumina")
_add("magnesium", "Mg", 1.74, "light alloys; also a calibration reference")
_add("aluminium", "Al", 2.70)
_add("silicon", "Si", 2.33)
_add("sulfur", "S", 2.07, "calibration reference (Z 16)")
_add(
    "pcb",
    {"SiO2": 0.28, "CaO": 0.11, "Al2O3": 0.07, "B2O3": 0.04, "C18H21O3": 0.31, "Br": 0.04, "Cu": 0.15},
    2.20,
    "populated-board average: FR4 + 15 % copper by mass",
)

# --- metals (Zeff > 18) -------------------------------------------------------------------------------------------
_add("calcium", "Ca", 1.55, "calibration reference (Z 20)")
_add("titanium", "Ti", 4.51)
_add("lithium_cobalt_oxide", "LiCoO2", 5.05, "cathode of lithium-ion cells")
_add("iron", "Fe", 7.874)
_add("steel", {"Fe": 0.99, "C": 0.01}, 7.85, "carbon steel")
_add("stainless_steel", {"Fe": 0.72, "Cr": 0.18, "Ni": 0.08, "Mn": 0.02}, 8.00, "18/8 stainless")
_add("nickel", "Ni", 8.90)
_add("copper", "Cu", 8.96)
_add("brass", {"Cu": 0.65, "Zn": 0.35}, 8.50, "cartridge cases, fittings")
_add("zinc", "Zn", 7.14)
_add("tin", "Sn", 7.29)
_add("silver", "Ag", 10.49)
_add("lead", "Pb", 11.34)
_add("tungsten", "W", 19.30)
_add("gold", "Au", 19.30)

# --- detector materials ---------------------------------------------------------------------------------------------
_add("csi", "CsI", 4.51, "scintillator CsI(Tl)")
_add("gos", "Gd2O2S", 7.32, "scintillator Gd2O2S (GOS)")
_add("cdwo4", "CdWO4", 7.90, "scintillator CdWO4")


def get_material(name: str) -> Material:
    """The registered material ``name``; raises :class:`MaterialError` naming the known ones otherwise."""
    if name not in MATERIALS:
        raise MaterialError(f"unknown material {name!r}; expected one of: {', '.join(sorted(MATERIALS))}")
    return MATERIALS.get(name)


@functools.lru_cache(maxsize=4096)
def _mass_attenuation_cached(formula: str, density: float, energies_keV: tuple[float, ...]) -> np.ndarray:
    import xraydb

    energies_eV = np.asarray(energies_keV, dtype=np.float64) * 1000.0
    try:
        mu = np.asarray(xraydb.material_mu(formula, energies_eV, density), dtype=np.float64)
    except Exception as exc:  # xraydb signals bad formulas with assorted exception types
        raise MaterialError(f"xraydb cannot compute attenuation of {formula!r}: {exc}") from exc
    out = mu / density
    out.setflags(write=False)
    return out


def mass_attenuation(name: str, energies_keV: Iterable[float] | np.ndarray) -> np.ndarray:
    """Mass attenuation coefficient mu/rho of material ``name``: float64 [E], cm^2/g, at ``energies_keV`` [E] (keV).

    Energies must lie in 1-1000 keV. Results are cached per material and energy grid (read-only arrays).
    """
    mat = get_material(name)
    energies = np.atleast_1d(np.asarray(energies_keV, dtype=np.float64))
    if energies.ndim != 1 or energies.size == 0:
        raise MaterialError(f"energies_keV must be a non-empty 1-D sequence, got shape {energies.shape}")
    if not np.all(np.isfinite(energies)) or energies.min() < 1.0 or energies.max() > 1000.0:
        raise MaterialError(f"energies_keV must lie in 1-1000 keV, got {energies.min()}..{energies.max()}")
    return _mass_attenuation_cached(mat.formula, mat.density_g_cm3, tuple(float(e) for e in energies))


def linear_attenuation(name: str, energies_keV: Iterable[float] | np.ndarray) -> np.ndarray:
    """Linear attenuation coefficient mu: float64 [E], 1/cm, at the material's registered density."""
    return mass_attenuation(name, energies_keV) * get_material(name).density_g_cm3


def composition(name: str) -> dict[str, float]:
    """Atom counts of the material's formula, element symbol -> relative number of atoms."""
    return _parse(get_material(name).formula)


def effective_z(name: str, exponent: float = ZEFF_EXPONENT) -> float:
    """Power-law effective atomic number: (sum_i f_i Z_i^p)^(1/p), f_i the electron fraction of element i."""
    import xraydb

    comp = composition(name)
    electrons = {el: n * xraydb.atomic_number(el) for el, n in comp.items()}
    total = sum(electrons.values())
    s = sum(e / total * float(xraydb.atomic_number(el)) ** exponent for el, e in electrons.items())
    return float(s ** (1.0 / exponent))
