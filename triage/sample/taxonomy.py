"""The sample organisation's helpdesk taxonomy: categories, subcategories, lines and groups."""

from __future__ import annotations

from dataclasses import dataclass

from triage.schema import Level

LevelDist = tuple[float, float, float]
"""Probabilities of (high, medium, low)."""

LEVELS: tuple[Level, Level, Level] = (Level.HIGH, Level.MEDIUM, Level.LOW)

SERVICE_DESK = "Servicedesk"
"""The first-line assignment group (every category)."""

# impact: most tickets touch one person; urgency: most can wait a day.
_ME: LevelDist = (0.04, 0.33, 0.63)
_TEAM: LevelDist = (0.10, 0.45, 0.45)
_URG: LevelDist = (0.25, 0.55, 0.20)
_CALM: LevelDist = (0.05, 0.35, 0.60)
_HOT: LevelDist = (0.40, 0.45, 0.15)
_REQ: LevelDist = (0.0, 0.12, 0.88)  # requests and how-to questions rarely hurt anyone


@dataclass(frozen=True, slots=True)
class Subcategory:
    """One recurring problem type: how often, who solves it, how bad it usually is.

    `line` is the support line that normally solves it; `escalation` the share that goes one line
    further (the text then says why). `burst`: an outage of it produces many tickets at once;
    `monitored`: monitoring alerts open it; `kb`: the knowledge base has articles for it.
    `outage_from`: the impact from which a ticket of a line-1 problem reports an outage (the
    labelling rule: a department, or several users on one access point, goes to line 2).
    """

    key: str
    weight: float
    line: int
    escalation: float
    impact: LevelDist = _ME
    urgency: LevelDist = _URG
    burst: bool = False
    monitored: bool = False
    kb: bool = True
    outage_from: Level = Level.HIGH


@dataclass(frozen=True, slots=True)
class Category:
    """A helpdesk category with its second- and third-line assignment groups."""

    key: str
    label_nl: str
    label_en: str
    portal: str
    group2: str
    group3: str
    subcategories: tuple[Subcategory, ...]


S = Subcategory
CATEGORIES: tuple[Category, ...] = (
    Category(
        "account_password",
        "Account en wachtwoord",
        "Account and password",
        "Inloggen",
        "Identity & Access beheer",
        "Leverancier Microsoft (Entra ID)",
        (
            S("password_reset", 9.0, 1, 0.04),
            S("account_locked", 6.0, 1, 0.06),
            S("mfa_authenticator", 4.0, 1, 0.12),
        ),
    ),
    Category(
        "email",
        "E-mail en agenda",
        "E-mail and calendar",
        "E-mail",
        "Werkplekbeheer",
        "Leverancier Microsoft 365",
        (
            S("outlook_send_receive", 5.0, 1, 0.15, burst=True),
            S("mailbox_full", 3.0, 1, 0.05, urgency=_CALM),
            S("shared_mailbox", 3.0, 1, 0.10, urgency=_CALM),
            S("calendar_sharing", 2.0, 1, 0.05, urgency=_CALM, impact=_REQ),
        ),
    ),
    Category(
        "printing",
        "Printen en scannen",
        "Printing and scanning",
        "Printen",
        "Werkplekbeheer",
        "Leverancier Canon",
        (
            S("print_queue", 5.0, 1, 0.12, burst=True),
            S("scan_to_mail", 2.5, 1, 0.15, urgency=_CALM),
            S("printer_install", 2.0, 1, 0.08, urgency=_CALM, impact=_REQ),
        ),
    ),
    Category(
        "application_access",
        "Toegang tot applicaties",
        "Application access",
        "Toegang",
        "Applicatiebeheer",
        "Leverancier applicatie",
        (
            S("access_request", 5.0, 1, 0.20, urgency=_CALM),
            S("office_license", 2.5, 1, 0.10),
        ),
    ),
    Category(
        "workplace",
        "Laptop en werkplek",
        "Laptop and workplace",
        "Hardware",
        "Werkplekbeheer",
        "Leverancier Dell",
        (
            S("laptop_slow", 4.0, 1, 0.25, urgency=_CALM),
            S("docking_monitor", 3.5, 1, 0.15),
            S("software_install", 4.0, 1, 0.25, urgency=_CALM),
        ),
    ),
    Category(
        "network_vpn",
        "Netwerk en VPN",
        "Network and VPN",
        "Netwerk",
        "Netwerkbeheer",
        "Leverancier KPN",
        (
            S("vpn_globalprotect", 5.0, 2, 0.08, burst=True),
            S("network_drive", 3.5, 2, 0.08, burst=True),
            S("internet_outage", 1.5, 2, 0.20, impact=_TEAM, urgency=_HOT, burst=True),
        ),
    ),
    Category(
        "wifi",
        "Wifi",
        "Wi-Fi",
        "Netwerk",
        "Netwerkbeheer",
        "Leverancier KPN",
        (
            S("wifi_connect", 3.5, 1, 0.30, burst=True, outage_from=Level.MEDIUM),
            S("guest_wifi", 1.5, 1, 0.10, urgency=_CALM, impact=_REQ),
        ),
    ),
    Category(
        "telephony",
        "Telefonie",
        "Telephony",
        "Telefonie",
        "Telefonie en mobiel",
        "Leverancier Vodafone",
        (
            S("teams_calling", 3.0, 2, 0.12, burst=True),
            S("mobile_phone", 3.0, 2, 0.10),
            S("voicemail", 1.0, 1, 0.05, urgency=_CALM, impact=_REQ),
        ),
    ),
    Category(
        "servers_storage",
        "Servers en opslag",
        "Servers and storage",
        "Overig",
        "Serverbeheer",
        "Leverancier datacenter",
        (
            S("disk_full", 2.5, 2, 0.10, impact=_TEAM, monitored=True),
            S("backup_failed", 1.5, 2, 0.15, impact=_TEAM, urgency=_CALM, monitored=True),
            S(
                "server_unreachable",
                1.5,
                2,
                0.15,
                impact=_TEAM,
                urgency=_HOT,
                monitored=True,
                burst=True,
            ),
            S("file_restore", 2.0, 2, 0.05, urgency=_URG),
        ),
    ),
    Category(
        "hr_afas",
        "HR-systeem (AFAS)",
        "HR system (AFAS)",
        "Applicaties",
        "Functioneel beheer HR",
        "Leverancier AFAS",
        (
            S("afas_login", 2.5, 2, 0.10, burst=True),
            S("payslip_declaration", 2.5, 2, 0.15, urgency=_CALM),
        ),
    ),
    Category(
        "finance_apps",
        "Financiële applicaties",
        "Finance applications",
        "Applicaties",
        "Functioneel beheer Financiën",
        "Leverancier Exact / SAP",
        (
            S("invoice_workflow", 2.5, 2, 0.15),
            S("finance_report", 1.5, 2, 0.20, urgency=_CALM),
        ),
    ),
    Category(
        "zaaksysteem",
        "Zaaksysteem",
        "Case management system",
        "Applicaties",
        "Functioneel beheer Zaaksysteem",
        "Leverancier zaaksysteem",
        (
            S("case_not_visible", 3.0, 2, 0.15),
            S("document_templates", 2.5, 2, 0.20),
        ),
    ),
    Category(
        "remote_workspace",
        "Citrix en thuiswerken",
        "Citrix and remote work",
        "Netwerk",
        "Werkplekbeheer",
        "Leverancier Citrix",
        (
            S("citrix_login", 4.0, 1, 0.30, burst=True),
            S("citrix_session", 2.5, 2, 0.15),
        ),
    ),
    Category(
        "m365_collaboration",
        "Teams, OneDrive en SharePoint",
        "Teams, OneDrive and SharePoint",
        "Software",
        "Werkplekbeheer",
        "Leverancier Microsoft 365",
        (
            S("onedrive_sync", 3.5, 1, 0.12, urgency=_CALM),
            S("sharepoint_access", 3.0, 1, 0.12),
            S("teams_meeting", 3.0, 1, 0.08),
        ),
    ),
    Category(
        "software_defect",
        "Softwarefout",
        "Software defect",
        "Software",
        "Applicatiebeheer",
        "Development team",
        (
            S("app_crash", 2.0, 3, 0.0, impact=_TEAM),
            S("wrong_data", 1.5, 3, 0.0, impact=_TEAM, urgency=_CALM),
        ),
    ),
    Category(
        "hardware_fault",
        "Hardwarestoring",
        "Hardware fault",
        "Hardware",
        "Werkplekbeheer",
        "Hardware reparatie (Dell ProSupport)",
        (
            S("laptop_damage", 2.5, 3, 0.0),
            S("no_power", 2.0, 2, 0.40),
        ),
    ),
    Category(
        "security",
        "Beveiligingsincident",
        "Security incident",
        "Beveiliging",
        "Security Office",
        "CERT / leverancier SOC",
        (
            S("phishing", 4.0, 2, 0.05, urgency=_HOT),
            S("lost_device", 1.5, 2, 0.05, urgency=_HOT),
            S("malware_alert", 1.0, 2, 0.30, urgency=_HOT),
        ),
    ),
    Category(
        "procurement",
        "Aanvragen en bestellingen",
        "Requests and procurement",
        "Aanvragen",
        "Inkoop en licenties",
        "Leverancier Dell",
        (
            S("hardware_request", 4.0, 1, 0.10, urgency=_CALM, impact=_REQ),
            S("software_request", 3.0, 1, 0.15, urgency=_CALM, impact=_REQ),
        ),
    ),
    Category(
        "onboarding",
        "In-, door- en uitstroom",
        "Onboarding and offboarding",
        "Aanvragen",
        "Identity & Access beheer",
        "Applicatiebeheer",
        (
            S("new_employee", 3.0, 1, 0.15, urgency=_CALM, impact=_REQ),
            S("leaver", 2.0, 1, 0.10, urgency=_CALM, impact=_REQ),
        ),
    ),
    Category(
        "website_forms",
        "Website en e-formulieren",
        "Website and e-forms",
        "Applicaties",
        "Applicatiebeheer",
        "Leverancier website",
        (
            S("eform_error", 1.5, 2, 0.20, impact=_TEAM, burst=True),
            S("website_content", 1.5, 1, 0.20, urgency=_CALM, impact=_REQ),
        ),
    ),
)


def all_subcategories() -> list[tuple[Category, Subcategory]]:
    """Every (category, subcategory) pair, in taxonomy order."""
    return [(c, s) for c in CATEGORIES for s in c.subcategories]


def category_keys() -> list[str]:
    """The category labels, in taxonomy order."""
    return [c.key for c in CATEGORIES]


def assignment_group(category: Category, line: int) -> str:
    """The group a ticket of `category` is assigned to at support line `line` (1, 2 or 3)."""
    return (SERVICE_DESK, category.group2, category.group3)[line - 1]


CONFUSABLE: dict[str, tuple[str, ...]] = {
    "account_password": ("application_access", "remote_workspace"),
    "email": ("m365_collaboration", "account_password"),
    "printing": ("workplace",),
    "application_access": ("account_password", "onboarding"),
    "workplace": ("hardware_fault", "procurement"),
    "network_vpn": ("wifi", "remote_workspace"),
    "wifi": ("network_vpn",),
    "telephony": ("m365_collaboration", "procurement"),
    "servers_storage": ("network_vpn",),
    "hr_afas": ("application_access", "software_defect"),
    "finance_apps": ("software_defect", "application_access"),
    "zaaksysteem": ("software_defect", "application_access"),
    "remote_workspace": ("network_vpn", "account_password"),
    "m365_collaboration": ("email", "application_access"),
    "software_defect": ("zaaksysteem", "finance_apps"),
    "hardware_fault": ("workplace",),
    "security": ("email", "account_password"),
    "procurement": ("workplace", "onboarding"),
    "onboarding": ("application_access", "procurement"),
    "website_forms": ("software_defect",),
}
"""Categories an agent plausibly files a ticket under by mistake (used for label noise)."""
