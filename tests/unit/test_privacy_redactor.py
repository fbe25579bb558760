"""The redactor replaces each kind of personal data by its placeholder and keeps what IT tickets
need to stay findable (hosts, error codes, versions, ticket ids)."""

from __future__ import annotations

import pytest

from triage.errors import ConfigError
from triage.privacy.config import Names, RedactionConfig
from triage.privacy.redactor import Redactor, redact_text
from triage.privacy.spans import Kind, Style


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail me at j.devries@gemeente-utrecht.nl please", "mail me at <EMAIL> please"),
        ("bel mij op 06-12345678", "bel mij op <PHONE>"),
        ("of op 06-01122334 (niet uitgegeven reeks)", "of op <PHONE> (niet uitgegeven reeks)"),
        ("tel: +31 20 123 4567, mobiel 0031 6 1234 5678", "tel: <PHONE>, mobiel <PHONE>"),
        ("call +44 20 7946 0958 (London)", "call <PHONE> (London)"),
        ("rekening NL91ABNA0417164300 klopt niet", "rekening <IBAN> klopt niet"),
        ("IBAN: NL91 ABNA 0417 1643 00 en verder", "IBAN: <IBAN> en verder"),
        ("BSN 111222333 in het zaaksysteem", "BSN <BSN> in het zaaksysteem"),
        ("bsn:1234.56.782.", "bsn:<BSN>."),
        ("kaart 4111 1111 1111 1111 geweigerd", "kaart <CARD> geweigerd"),
        ("ping 10.20.30.40 times out", "ping <IP> times out"),
        ("gateway fe80::1ff:fe23:4567:890a down", "gateway <IP> down"),
        ("mijn wachtwoord is Zomer2024!", "mijn wachtwoord is <SECRET>"),
        ("password: hunter2", "password: <SECRET>"),
        ("ww: Lente#22 werkt niet", "ww: <SECRET> werkt niet"),
        ("Das Passwort lautet Sommer!23.", "Das Passwort lautet <SECRET>."),
        (
            "reset via https://login.example.com/reset?token=abc123&u=5 graag",
            "reset via <URL> graag",
        ),
        ("Mw. de Vries belt over haar laptop", "Mw. <PERSON> belt over haar laptop"),
        ("Het wachtwoord is 'Welkom01'", "Het wachtwoord is '<SECRET>'"),
        (
            "log https://drive.google.com/file/d/133L5m75u2tu_KgKfGHZLEUzGR0XAfUl6/view",
            "log <URL>",
        ),
        (
            "Met vriendelijke groet,\nJan Bakker\nTeam Wonen",
            "Met vriendelijke groet,\n<PERSON>\nTeam Wonen",
        ),
    ],
)
def test_redactor_replaces_each_kind_by_its_placeholder(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "error 0x800CCC0E in Outlook, 0x80070005 on the share",
        "srv-app-03 disk /var at 95%",
        "ticket INC-2025-000123 reopened, zaak Z-2025-004411",
        "order 123456789 is not a BSN",  # fails the eleven test
        "NL00ABNA0000000000 is not a valid IBAN",
        "NL92 ABNA 0417 1643 00 has a wrong check digit",
        "Windows 10.0.19045.3803, Chrome 120.0.6099.129, versie 6.2.1",
        "afspraak op 01-12-2025 om 14:30, of 2025-12-01 09:05:33, of 1/12/2025",
        "mijn wachtwoord is verlopen en het password is expired; Passwort ist abgelaufen",
        "zie https://intranet.rivierstad.nl/kb/vpn?lang=nl voor de handleiding",
        "de WW-uitkering is aangevraagd",
        "upgrade derby to 10.17.1.0; version 0.8.2.1; versie 3.11.40225",
        "see https://github.com/apache/hadoop/commit/a77bf7cf07189911da99e305e3b80c589edbbfb5",
        "https://ci.example.org/job/hadoop-qbt-trunk-java8-linux-x86_64/622/",
        "Sign-in says 'The password is incorrect', staat er 'Het wachtwoord is onjuist'",
        "Wachtwoord vergeten\nCategorie: Inloggen",
        "Beller meldt: Outlook start niet. Issue here is the cache.",
    ],
)
def test_redactor_keeps_technical_identifiers_and_look_alikes(text: str) -> None:
    assert redact_text(text) == text


def test_redactor_reports_spans_in_the_original_text_and_counts() -> None:
    text = "mail a@b.nl of bel 0612345678, mail c@d.nl"
    result = Redactor().redact(text)
    assert result.counts == {"EMAIL": 2, "PHONE": 1}
    assert [text[s.start : s.end] for s in result.spans] == ["a@b.nl", "0612345678", "c@d.nl"]


def test_redactor_secret_url_wins_over_the_email_inside_it() -> None:
    text = "https://portal.example.com/login?user=a@b.nl&session=9f8e7d"
    assert Redactor().redact(text).counts == {"URL": 1}


def test_redactor_square_style_and_idempotent_across_styles() -> None:
    square = Redactor(RedactionConfig(style=Style.SQUARE))
    once = square.redact("mail a@b.nl").text
    assert once == "mail [EMAIL]"
    assert Redactor().redact(once).text == once  # an angle-style redactor leaves it alone


def test_redactor_allow_list_keeps_terms_case_insensitively() -> None:
    config = RedactionConfig(allow=frozenset({"Servicedesk@Rivierstad.nl", "10.0.0.1"}))
    text = "mail servicedesk@rivierstad.nl or a@b.nl; dns 10.0.0.1 and 10.0.0.2"
    out = Redactor(config).redact(text).text
    assert out == "mail servicedesk@rivierstad.nl or <EMAIL>; dns 10.0.0.1 and <IP>"


def test_redactor_hosts_only_when_configured_and_ticket_ids_never() -> None:
    text = "srv-fin-07 and dc01.rivierstad.local down, see INC-2025-000042"
    assert redact_text(text) == text
    hosts = Redactor(RedactionConfig(kinds=frozenset({Kind.HOST})))
    assert hosts.redact(text).text == "<HOST> and <HOST> down, see INC-2025-000042"


def test_redactor_detectors_are_chosen_by_the_config() -> None:
    only_email = Redactor(RedactionConfig(kinds=frozenset({Kind.EMAIL})))
    out = only_email.redact("a@b.nl 0612345678 NL91ABNA0417164300").text
    assert out == "<EMAIL> 0612345678 NL91ABNA0417164300"


def test_redactor_names_off_still_removes_the_known_requester() -> None:
    redactor = Redactor(RedactionConfig(names=Names.OFF))
    text = "Mw. Jansen belt. Groet, Sanne de Vries"
    out = redactor.redact(text, known_names=["Sanne de Vries"]).text
    assert out == "Mw. Jansen belt. Groet, <PERSON>"


def test_redactor_known_name_in_its_usual_forms() -> None:
    text = "Sanne de Vries belt; S. de Vries, mw. de Vries, sanne de vries. Sanne zegt hallo."
    out = Redactor().redact(text, known_names=["Sanne de Vries"]).text
    assert "Sanne" not in out and "Vries" not in out and "sanne" not in out


def test_redactor_phone_region_is_configurable() -> None:
    text = "ruf 0221 1234567 an"  # a Cologne number written the German way
    assert Redactor().redact(text).text == text  # no Dutch number
    german = Redactor(RedactionConfig(region="DE"))
    assert german.redact(text).text == "ruf <PHONE> an"


def test_config_from_mapping_reads_a_deployment_and_refuses_unknown_keys() -> None:
    config = RedactionConfig.from_mapping(
        {"kinds": ["email", "PHONE"], "style": "square", "region": "BE", "allow": ["X"]}
    )
    assert config.kinds == {Kind.EMAIL, Kind.PHONE} and config.allow == {"x"}
    assert config.summary()["style"] == "square"
    with pytest.raises(ConfigError, match="unknown setting"):
        RedactionConfig.from_mapping({"kind": ["EMAIL"]})
    with pytest.raises(ConfigError, match="privacy"):
        RedactionConfig.from_mapping({"kinds": ["PASSPORT"]})
    with pytest.raises(ConfigError, match="phone region"):
        RedactionConfig(region="XX")
