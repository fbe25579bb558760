"""Pools of realistic entities (hosts, products, error codes, people) that fill the text slots."""

from __future__ import annotations

import random

DOMAIN = "rivierstad.example"
"""E-mail domain of the fictional organisation (Gemeente Rivierstad); never a real domain."""

BUILDINGS = ("Stadhuis", "Stadskantoor", "Gemeentewerf", "Publiekshal", "Archief", "Sporthal Zuid")
DEPARTMENTS = (
    "Burgerzaken",
    "Financiën",
    "HR",
    "Vergunningen",
    "Sociaal Domein",
    "Openbare Ruimte",
    "Communicatie",
    "Belastingen",
    "Juridische Zaken",
    "Facilitaire Zaken",
    "Griffie",
    "Wonen",
)
SLOTS: dict[str, tuple[str, ...]] = {
    "outlook_err": ("0x800CCC0E", "0x8004010F", "0x80040115", "0x800CCC0F", "0x80042108"),
    "gp_err": (
        "Gateway vpn.rivierstad.example: authentication failed",
        "The network connection is unreachable or the portal is not responding",
        "Could not connect to the GlobalProtect service",
        "Matching client certificate not found",
    ),
    "host": tuple(
        f"srv-{k}-{i:02d}" for k in ("app", "file", "sql", "ctx", "web") for i in (1, 2, 3, 4, 7)
    ),
    "printer": tuple(
        f"PRN-{b}-{f}{n:02d}" for b in ("STH", "SKT", "WRF") for f in (0, 1, 2, 3) for n in (1, 4)
    ),
    "building": BUILDINGS,
    "dept": DEPARTMENTS,
    "sw": (
        "Adobe Acrobat Pro",
        "Visio",
        "QGIS",
        "Power BI Desktop",
        "Notepad++",
        "AutoCAD LT",
        "SPSS",
        "Snagit",
        "MS Project",
        "7-Zip",
    ),
    "laptop": (
        "Dell Latitude 5440",
        "Dell Latitude 7450",
        "Dell Latitude 5550",
        "HP EliteBook 840",
    ),
    "phone_model": ("iPhone 13", "iPhone 15", "Samsung Galaxy A54", "iPhone SE"),
    "drive": ("G:", "H:", "P:", "S:"),
    "mount": ("/var", "/data", "/opt", "/var/log", "D:", "E:"),
    "pct": ("91", "93", "95", "96", "97", "98", "99"),
    "mailbox": tuple(
        f"{m}@{DOMAIN}"
        for m in (
            "info",
            "vergunningen",
            "burgerzaken",
            "facturen",
            "communicatie",
            "subsidies",
            "hr-zaken",
        )
    ),
    "fin_app": ("Exact", "SAP", "Exact Online", "SAP"),
    "hr_thing": ("declaratie", "verlofaanvraag", "reiskostendeclaratie", "salarisstrook"),
    "hr_thing_en": ("expense claim", "leave request", "travel expense claim", "payslip"),
    "zaaknr": tuple(f"Z-2025-0{n}" for n in (1234, 4410, 5871, 7032, 8120, 9935, 3318, 2207)),
    "invoice": tuple(f"F2025-{n}" for n in (10231, 11872, 12004, 13510, 14477, 15902)),
    "teams_err": ("caa20002", "CAA50021", "0xCAA70004", "780bb2"),
    "win_err": ("0x80070005", "0xc000021a", "0x80073712", "0x800f081f"),
    "form": (
        "aanvraag parkeervergunning",
        "melding openbare ruimte",
        "aanvraag bijzondere bijstand",
        "verhuizing doorgeven",
        "aanvraag evenementenvergunning",
    ),
    "form_en": (
        "parking permit application",
        "public space report",
        "special assistance application",
        "change of address form",
        "event permit application",
    ),
    "month": ("januari", "februari", "maart", "april", "mei", "juni", "september", "oktober"),
    "month_en": ("January", "February", "March", "April", "May", "June", "September", "October"),
    "malware": (
        "Trojan:Win32/Wacatac",
        "HackTool:Win32/Mimikatz",
        "PUA:Win32/Presenoker",
        "Trojan:Script/Phonzy",
    ),
}

FIRST_NAMES = (
    "Sanne",
    "Daan",
    "Lotte",
    "Bram",
    "Emma",
    "Thijs",
    "Fleur",
    "Ruben",
    "Anouk",
    "Jeroen",
    "Marieke",
    "Pieter",
    "Ingrid",
    "Kees",
    "Annelies",
    "Mohammed",
    "Fatima",
    "Yusuf",
    "Ayse",
    "Priya",
    "Wim",
    "Els",
    "Henk",
    "Joke",
    "Mark",
    "Linda",
    "Sven",
    "Iris",
    "Tom",
    "Esther",
    "Rob",
    "Nicole",
    "Jan",
    "Petra",
    "Sander",
    "Karin",
    "Bas",
    "Mirjam",
    "Niels",
    "Sophie",
    "Lucas",
    "Julia",
    "Tim",
    "Eva",
    "Ahmed",
    "Noor",
    "Dewi",
    "Rachid",
    "Sevda",
    "Marco",
    "Hanneke",
    "Gerrit",
    "Ilse",
    "Joost",
    "Maaike",
    "Arjen",
    "Femke",
    "Wouter",
    "Nadia",
    "Chantal",
)
LAST_NAMES = (
    "de Vries",
    "Jansen",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van den Broek",
    "de Bruijn",
    "de Jong",
    "Janssen",
    "Yilmaz",
    "El Amrani",
    "Kaya",
    "Bouzid",
    "Pinas",
    "Nguyen",
    "Santos",
    "Koster",
    "Willems",
    "Postma",
    "Schouten",
    "Verhoeven",
    "Prins",
    "Huisman",
    "Kuipers",
    "Boersma",
    "Wijaya",
)


def person_name(rnd: random.Random) -> str:
    """A fake full name, e.g. "Sanne van den Berg"."""
    return f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)}"


def email_of(name: str) -> str:
    """The organisation's address for a name: "Sanne van den Berg" -> s.vandenberg@..."""
    first, *rest = name.split(" ")
    last = "".join(rest).lower().replace("'", "")
    return f"{first[0].lower()}.{last}@{DOMAIN}"


def phone_number(rnd: random.Random) -> str:
    """A fake Dutch phone number in one of the formats people write."""
    n = rnd.randrange(10_000_000, 99_999_999)
    s = str(n)
    return rnd.choice(
        (f"06-{s}", f"06 {s[:4]} {s[4:]}", f"+31 6 {s}", f"010-{s[:7]}", f"toestel {s[:4]}")
    )


class Slots(dict[str, str]):
    """Fills `{slot}` placeholders, drawing each slot once per ticket (so repeats agree)."""

    def __init__(self, rnd: random.Random, fixed: dict[str, str] | None = None) -> None:
        super().__init__(fixed or {})
        self._rnd = rnd

    def __missing__(self, key: str) -> str:
        value = self._rnd.choice(SLOTS[key]) if key in SLOTS else key
        self[key] = value
        return value
