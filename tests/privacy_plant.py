"""Planted personal data for redaction tests and the benchmark: valid identifiers (check digits
computed here, independently of the library under test), look-alikes that must stay, and
realistic Dutch and English ticket templates to plant them in."""

from __future__ import annotations

import random

import phonenumbers

TEMPLATES: tuple[str, ...] = (
    "Goedemorgen, ik kan niet inloggen op AFAS. Mijn gegevens: {x}. Graag snel contact.",
    "Bel mij even terug op {x}, ik zit vandaag thuis te werken.",
    "Terugstorting mislukt: rekening {x} wordt geweigerd door het financiele systeem.",
    "Mw. belt: burger heeft {x} doorgegeven maar het zaaksysteem vindt niets (zaak Z-2025-0042).",
    "[10:14] gebruiker: hoi het lukt niet\n[10:15] gebruiker: {x}\n[10:15] agent: ok ik kijk",
    "Categorie: Overig\nOmschrijving: wijziging doorvoeren voor {x}\nLocatie: Stadskantoor",
    "Hello, please update my contact details to {x} in the HR system. Thanks!",
    "The citizen sent {x} by mail; the form on the website rejects it with error 0x80070005.",
    "Can you call me back at {x}? VPN drops every 10 minutes since the update to 6.2.1.",
    "Forwarded message\nFrom: helpdesk\nDetails: {x}\nRegards, Finance team",
    "{x}",
    "Gegevens melder ({x}) staan in het ticket INC-2025-000042, graag verwerken voor 17:00.",
)
_BANKS = ("ABNA", "INGB", "RABO", "SNSB", "TRIO", "ASNB", "KNAB", "BUNQ", "RBRB")
_FIRST = ("jan", "sanne", "pieter", "fatima", "daan", "emma", "mohamed", "lisa", "tom", "noor")
_LAST = ("devries", "jansen", "bakker", "el-amrani", "smit", "visser", "o.brien", "yilmaz")
_DOMAINS = (
    "rivierstad.example",
    "gemeente-utrecht.nl",
    "gmail.com",
    "hotmail.com",
    "outlook.com",
    "ziggo.nl",
    "kpnmail.nl",
    "student.uva.nl",
    "company.co.uk",
    "web.de",
)


def _mod97(digits: str) -> int:
    return int(digits) % 97


def _iban_check(country: str, bban: str) -> str:
    moved = bban + country + "00"
    numeric = "".join(str(int(ch, 36)) for ch in moved)
    return f"{98 - _mod97(numeric):02d}"


def _spaced(compact: str, rng: random.Random) -> str:
    style = rng.choice(("compact", "groups", "lower"))
    if style == "groups":
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return compact.lower() if style == "lower" else compact


def iban_nl(rng: random.Random) -> str:
    """A Dutch IBAN with correct mod-97 check digits, compact, in groups of four or lower case."""
    bban = rng.choice(_BANKS) + "".join(rng.choice("0123456789") for _ in range(10))
    return _spaced("NL" + _iban_check("NL", bban) + bban, rng)


def iban_wrong_check(rng: random.Random) -> str:
    """A Dutch IBAN whose check digits are wrong (mod-97 fails)."""
    bban = rng.choice(_BANKS) + "".join(rng.choice("0123456789") for _ in range(10))
    good = int(_iban_check("NL", bban))
    bad = rng.choice([d for d in range(2, 99) if d != good])
    return _spaced(f"NL{bad:02d}{bban}", rng)


def _eleven(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
    return total % 11 == 0


def bsn(rng: random.Random) -> str:
    """A 9-digit number that passes the eleven-test, plain or as `1234.56.782`."""
    while True:
        digits = str(rng.randrange(10_000_000, 999_999_999)).zfill(9)
        if _eleven(digits) and digits != "000000000":
            break
    return digits if rng.random() < 0.8 else f"{digits[:4]}.{digits[4:6]}.{digits[6:]}"


def nine_digits_failing(rng: random.Random) -> str:
    """A 9-digit ticket or order number that fails the eleven-test."""
    while True:
        digits = str(rng.randrange(100_000_000, 999_999_999))
        if not _eleven(digits):
            return digits


def email(rng: random.Random) -> str:
    """An e-mail address in one of the shapes users write."""
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    local = rng.choice(
        (
            f"{first}.{last}",
            f"{first[0]}.{last}",
            f"{first}{rng.randrange(100)}",
            f"{first}+tickets",
            f"{last}_{first}",
            f"{first.upper()}.{last.title()}",
        )
    )
    return f"{local}@{rng.choice(_DOMAINS)}"


_NL_PREFIXES = ("61", "62", "63", "64", "65", "20", "10", "30", "70", "40", "50", "24", "76")


def _valid(number: str, region: str) -> bool:
    return phonenumbers.is_valid_number(phonenumbers.parse(number, region))


def phone_nl(rng: random.Random) -> str:
    """A valid Dutch number (mobile or landline) in one of the ways people write it."""
    while True:
        prefix = rng.choice(_NL_PREFIXES)
        rest = "".join(rng.choice("0123456789") for _ in range(9 - len(prefix)))
        national = prefix + rest
        if _valid("0" + national, "NL"):
            break
    area, sub = (national[:1], national[1:]) if prefix[0] == "6" else (national[:2], national[2:])
    forms = (
        f"0{area}-{sub}",
        f"0{area} {sub}",
        f"0{national}",
        f"+31 {area} {sub}",
        f"+31{national}",
        f"0031 {area} {sub[:4]} {sub[4:]}",
        f"+31 (0){area} {sub}",
        f"(0{area}) {sub[:3]} {sub[3:]}",
        f"0{area} {sub[:3]} {sub[3:5]} {sub[5:]}",
    )
    return rng.choice(forms)


_FOREIGN = (
    ("GB", "+44 20 7946 {d4}", 4),
    ("DE", "+49 30 {d4}{d3}", 7),
    ("BE", "+32 2 {d3} {d4}", 7),
    ("FR", "+33 1 {d4} {d4}", 8),
    ("US", "+1 212 {d3} {d4}", 7),
    ("ES", "+34 91 {d3} {d4}", 7),
)


def phone_international(rng: random.Random) -> str:
    """A valid foreign number in international format (+44, +49, +32, +33, +1, +34)."""
    while True:
        region, pattern, _ = rng.choice(_FOREIGN)
        d3 = "".join(rng.choice("23456789") for _ in range(3))
        d4 = "".join(rng.choice("0123456789") for _ in range(4))
        number = pattern.format(d3=d3, d4=d4)
        if _valid(number, region):
            return number


def look_alike(rng: random.Random) -> str:
    """Something that looks like an identifier but is none and must stay as written."""
    choices = (
        lambda: nine_digits_failing(rng),
        lambda: iban_wrong_check(rng),
        lambda: f"versie {rng.randrange(1, 30)}.{rng.randrange(0, 20)}.{rng.randrange(0, 99999)}",
        lambda: f"build 10.0.{rng.randrange(10000, 30000)}.{rng.randrange(1000, 9999)}",
        lambda: f"0x{rng.randrange(0x80000000, 0x8FFFFFFF):08X}",
        lambda: (
            f"{rng.randrange(1, 29):02d}-{rng.randrange(1, 13):02d}-{rng.randrange(2000, 2030)}"
        ),
        lambda: (
            f"{rng.randrange(2000, 2030)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        ),
        lambda: f"{rng.randrange(1, 29)}/{rng.randrange(1, 13)}/{rng.randrange(2000, 2030)}",
        lambda: f"{rng.randrange(0, 24):02d}:{rng.randrange(0, 60):02d}",
        lambda: f"{rng.randrange(0, 24):02d}:{rng.randrange(0, 60):02d}:{rng.randrange(0, 60):02d}",
        lambda: f"INC-{rng.randrange(2020, 2030)}-{rng.randrange(0, 999999):06d}",
        lambda: f"srv-{rng.choice(('fin', 'app', 'web', 'db'))}-{rng.randrange(1, 99):02d}",
        lambda: f"zaak Z-{rng.randrange(2020, 2030)}-{rng.randrange(0, 9999):04d}",
    )
    return rng.choice(choices)()


def plant(value: str, rng: random.Random) -> str:
    """`value` in a random ticket template."""
    return rng.choice(TEMPLATES).format(x=value)
