"""Synthetic parties of a declaration: UPU S10 item numbers, consignors, consignees, sellers and platforms.

Names, streets and companies are assembled from small hand-written lists; they are fictitious (any resemblance to
a real person or firm is chance). Platform names are those of real marketplaces, as declarations carry them.
"""

from __future__ import annotations

import numpy as np

S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
S10_SERVICES = ("LX", "LY", "RR", "RB", "CP", "CY", "EE", "EA", "UA", "UB", "LP", "LZ")

ORIGINS = {
    "CN": 0.5,
    "HK": 0.06,
    "US": 0.1,
    "GB": 0.06,
    "TR": 0.06,
    "IN": 0.04,
    "VN": 0.04,
    "KR": 0.03,
    "JP": 0.03,
    "TH": 0.02,
    "CH": 0.02,
    "UA": 0.02,
    "BR": 0.02,
}
DESTINATIONS = {
    "DE": 0.22,
    "FR": 0.16,
    "NL": 0.1,
    "IT": 0.1,
    "ES": 0.1,
    "PL": 0.08,
    "BE": 0.06,
    "AT": 0.05,
    "SE": 0.04,
    "IE": 0.03,
    "PT": 0.03,
    "CZ": 0.03,
}
CITIES = {
    "CN": [("Shenzhen", "518000"), ("Guangzhou", "510000"), ("Yiwu", "322000"), ("Shanghai", "200000")],
    "HK": [("Kowloon", "999077"), ("Hong Kong", "999077")],
    "US": [("Los Angeles", "90012"), ("Newark", "07102"), ("Dallas", "75201"), ("Seattle", "98101")],
    "GB": [("London", "E1 6AN"), ("Manchester", "M1 1AE"), ("Leeds", "LS1 4AP")],
    "TR": [("Istanbul", "34000"), ("Izmir", "35000")],
    "IN": [("Mumbai", "400001"), ("Delhi", "110001")],
    "VN": [("Ho Chi Minh City", "700000")],
    "KR": [("Seoul", "04524")],
    "JP": [("Osaka", "530-0001")],
    "TH": [("Bangkok", "10200")],
    "CH": [("Zurich", "8001")],
    "UA": [("Kyiv", "01001")],
    "BR": [("Sao Paulo", "01000-000")],
    "DE": [("Berlin", "10115"), ("Hamburg", "20095"), ("Munich", "80331"), ("Cologne", "50667")],
    "FR": [("Paris", "75011"), ("Lyon", "69002"), ("Marseille", "13001")],
    "NL": [("Amsterdam", "1012 AB"), ("Rotterdam", "3011 AA")],
    "IT": [("Milan", "20121"), ("Rome", "00184")],
    "ES": [("Madrid", "28013"), ("Barcelona", "08001")],
    "PL": [("Warsaw", "00-001"), ("Krakow", "31-001")],
    "BE": [("Brussels", "1000"), ("Antwerp", "2000")],
    "AT": [("Vienna", "1010")],
    "SE": [("Stockholm", "111 20")],
    "IE": [("Dublin", "D01 F5P2")],
    "PT": [("Lisbon", "1100-148")],
    "CZ": [("Prague", "110 00")],
}
FIRST = [
    "Anna",
    "Lukas",
    "Marie",
    "Jan",
    "Sofia",
    "Mateo",
    "Emma",
    "Noah",
    "Julia",
    "Luca",
    "Eva",
    "Tomasz",
    "Ines",
    "Pieter",
    "Chiara",
    "Hugo",
    "Lea",
    "Oskar",
    "Nora",
    "Elias",
    "Zofia",
    "Dario",
    "Amira",
    "Yusuf",
    "Mei",
    "Wei",
    "Priya",
    "Carlos",
    "Olga",
    "Sean",
]
LAST = [
    "Muller",
    "Dubois",
    "Jansen",
    "Rossi",
    "Garcia",
    "Kowalski",
    "Peeters",
    "Huber",
    "Lindqvist",
    "Murphy",
    "Silva",
    "Novak",
    "Schmidt",
    "Martin",
    "de Vries",
    "Bianchi",
    "Lopez",
    "Nowak",
    "Wagner",
    "Moreau",
    "Chen",
    "Wang",
    "Kaya",
    "Sato",
    "Kim",
    "Patel",
    "Nguyen",
    "Smith",
    "Brown",
    "Ivanenko",
]
STREETS = [
    "Main Street",
    "Hauptstrasse",
    "Rue de la Paix",
    "Kerkstraat",
    "Via Roma",
    "Calle Mayor",
    "ul. Polna",
    "Industrial Road",
    "Harbour Lane",
    "Market Square",
    "Station Road",
    "Park Avenue",
]
COMPANY_A = [
    "Shenzhen",
    "Guangzhou",
    "Yiwu",
    "Ningbo",
    "Dongguan",
    "Hangzhou",
    "Pacific",
    "Global",
    "Sunrise",
    "Golden",
    "Blue Ocean",
    "Eastern",
    "Nova",
    "Prime",
    "Urban",
]
COMPANY_B = [
    "Trading",
    "Technology",
    "Electronics",
    "E-commerce",
    "Import Export",
    "Supply",
    "Outlet",
    "Commerce",
    "Digital",
    "Home Goods",
    "Fashion",
    "Sports",
]
COMPANY_C = {
    "CN": "Co., Ltd.",
    "HK": "Limited",
    "US": "LLC",
    "GB": "Ltd",
    "TR": "Ltd. Sti.",
    "IN": "Pvt. Ltd.",
    "VN": "Co., Ltd.",
    "KR": "Co., Ltd.",
    "JP": "K.K.",
    "TH": "Co., Ltd.",
    "CH": "GmbH",
    "UA": "LLC",
    "BR": "Ltda.",
}
PLATFORMS = {
    "AliExpress": ("https://www.aliexpress.com", 0.25),
    "Temu": ("https://www.temu.com", 0.2),
    "Amazon": ("https://www.amazon.com", 0.15),
    "SHEIN": ("https://www.shein.com", 0.12),
    "eBay": ("https://www.ebay.com", 0.1),
    "Etsy": ("https://www.etsy.com", 0.05),
    "Joom": ("https://www.joom.com", 0.04),
    "Wish": ("https://www.wish.com", 0.03),
}


def choose(rng: np.random.Generator, weighted: dict[str, float]) -> str:
    keys = list(weighted)
    w = np.array([weighted[k] for k in keys], dtype=np.float64)
    return keys[int(rng.choice(len(keys), p=w / w.sum()))]


def s10_check_digit(serial: str) -> int:
    """UPU S10 check digit of an 8-digit serial number."""
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError(f"S10 serial must be 8 digits, got {serial!r}")
    total = sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    return 0 if check == 10 else 5 if check == 11 else check


def s10_number(rng: np.random.Generator, country: str) -> str:
    """A UPU S10 item identifier, e.g. ``LX123456785CN`` (service, serial, check digit, origin country)."""
    serial = f"{int(rng.integers(0, 10**8)):08d}"
    return f"{S10_SERVICES[int(rng.integers(len(S10_SERVICES)))]}{serial}{s10_check_digit(serial)}{country}"


def is_valid_s10(item_id: str) -> bool:
    """True when ``item_id`` has the S10 layout and a correct check digit."""
    if len(item_id) != 13 or not (item_id[:2].isalpha() and item_id[2:11].isdigit() and item_id[11:].isalpha()):
        return False
    return s10_check_digit(item_id[2:10]) == int(item_id[10])


def _address(rng: np.random.Generator, country: str) -> dict[str, str]:
    city, postcode = CITIES[country][int(rng.integers(len(CITIES[country])))]
    return {
        "street": STREETS[int(rng.integers(len(STREETS)))],
        "number": str(int(rng.integers(1, 250))),
        "city": city,
        "postcode": postcode,
        "country": country,
    }


def person(rng: np.random.Generator, country: str) -> dict[str, object]:
    name = f"{FIRST[int(rng.integers(len(FIRST)))]} {LAST[int(rng.integers(len(LAST)))]}"
    phone = f"+{int(rng.integers(30, 99))} {int(rng.integers(100, 999))} {int(rng.integers(1000000, 9999999))}"
    return {
        "name": name,
        "address": _address(rng, country),
        "type_of_person": "natural",
        "phone": phone,
        "email": f"{name.split()[0].lower()}.{int(rng.integers(10, 999))}@example.com",
    }


def company(rng: np.random.Generator, country: str, aeo: str = "none") -> dict[str, object]:
    a = COMPANY_A[int(rng.integers(len(COMPANY_A)))]
    b = COMPANY_B[int(rng.integers(len(COMPANY_B)))]
    name = f"{a} {b} {COMPANY_C.get(country, 'Ltd')}"
    party: dict[str, object] = {
        "name": name,
        "business_name": name,
        "address": _address(rng, country),
        "type_of_person": "legal",
        "aeo_status": aeo,
    }
    if aeo != "none":
        party["eori"] = f"{country}{int(rng.integers(10**9, 10**10))}"
    return party
