"""How users say a ticket goes past the first line, and vague complaints, composed from parts.

Six fixed escalation sentences per language taught the model six phrasings; real tickets say
"eerste lijn heeft al ...", "al drie keer gemeld", "a technician has to come" in endless ways.
Composing who tried what with which result, repeated reports, a vendor named by the desk and a
hand-over gives the validation period wording the model has not memorised, so its confidence for
the support line is calibrated on escalations it must recognise rather than recall.
"""

from __future__ import annotations

import random

_WHO = {
    "nl": (
        "de servicedesk",
        "de helpdesk",
        "de eerste lijn",
        "iemand van ICT",
        "de IT-balie",
        "jullie collega",
        "de medewerker aan de telefoon",
        "ICT",
    ),
    "en": (
        "the service desk",
        "the helpdesk",
        "first line",
        "someone from IT",
        "the IT desk",
        "your colleague",
        "the agent on the phone",
        "IT support",
    ),
}
_DID = {
    "nl": (
        "heeft al op afstand meegekeken",
        "heeft het al opnieuw ingesteld",
        "heeft alles al gereset",
        "heeft het vorige week al eens opgelost",
        "heeft de standaardstappen al doorlopen",
        "heeft het al geprobeerd",
        "is al langs geweest",
        "heeft de instellingen al nagelopen",
    ),
    "en": (
        "already had a remote look",
        "already reset everything",
        "already reconfigured it",
        "fixed it last week",
        "already went through the usual steps",
        "already tried",
        "already came by",
        "already checked the settings",
    ),
}
_RESULT = {
    "nl": (
        "maar het probleem is er nog",
        "zonder resultaat",
        "maar het is niet opgelost",
        "en kwam er niet uit",
        "en zei dat het hoger op moet",
        "en zou het doorzetten",
        "maar na een dag was het weer mis",
    ),
    "en": (
        "but the problem is still there",
        "without any result",
        "but it is not solved",
        "and couldn't sort it out",
        "and said it has to go higher up",
        "and would pass it on",
        "but a day later it was back",
    ),
}
_REPEAT = {
    "nl": (
        "Dit is mijn {nth} melding hierover.",
        "Ik heb dit {times} gemeld.",
        "Vorige week ook al gemeld, toen gesloten maar het is niet opgelost.",
        "Het vorige ticket is gesloten maar het probleem is er nog steeds.",
        "Komt steeds weer terug, na elke oplossing.",
        "Speelt al weken, eerdere meldingen hebben niets opgeleverd.",
        "nog steeds niet opgelost, zie mijn eerdere melding",
    ),
    "en": (
        "This is my {nth} ticket about this.",
        "I have reported this {times}.",
        "Reported it last week as well, the ticket was closed but nothing was fixed.",
        "The previous ticket was closed but the problem is still there.",
        "It keeps coming back after every fix.",
        "Been going on for weeks, earlier tickets got nowhere.",
        "still not fixed, see my earlier ticket",
    ),
}
_NTH = {
    "nl": ("tweede", "derde", "vierde", "zoveelste"),
    "en": ("second", "third", "fourth", "umpteenth"),
}
_TIMES = {
    "nl": ("twee keer", "al drie keer", "meerdere keren", "al vaker"),
    "en": ("twice", "three times already", "several times", "more than once"),
}
_VENDOR = {
    "nl": (
        "Volgens de servicedesk moet er een monteur komen.",
        "De servicedesk zegt dat het naar de leverancier moet voor reparatie.",
        "Het onderdeel moet vervangen worden, aldus de helpdesk.",
        "Eerste lijn kan hier niets meer aan doen, er is een technicus nodig.",
    ),
    "en": (
        "The service desk says a technician has to come.",
        "According to the helpdesk it has to go to the vendor for repair.",
        "The part needs replacing, the IT desk told me.",
        "First line can't do anything more, a technician is needed.",
    ),
}
_HANDOVER = {
    "nl": (
        "Eerste lijn: niet op te lossen, doorgezet.",
        "Door de servicedesk overgedragen.",
        "Doorgezet vanuit de servicedesk na eerste analyse.",
    ),
    "en": (
        "First line: could not resolve, handed over.",
        "Passed on by the service desk.",
        "Escalated by the service desk after a first look.",
    ),
}
VENDOR_SUBCATEGORIES = frozenset(
    {"print_queue", "scan_to_mail", "docking_monitor", "no_power", "laptop_damage", "mobile_phone"}
)
"""Problems where a vendor's technician or a repair is what moves the ticket up."""


def escalation_cue(language: str, subcategory: str, rnd: random.Random) -> str:
    """One sentence that says the ticket has been past the first line already, or must go on."""
    lang = language if language in _WHO else "en"
    kinds = ["tried", "tried", "repeat", "repeat", "handover"]
    if subcategory in VENDOR_SUBCATEGORIES:
        kinds += ["vendor", "vendor"]
    kind = rnd.choice(kinds)
    if kind == "tried":
        who, did, result = (rnd.choice(t[lang]) for t in (_WHO, _DID, _RESULT))
        return f"{who[:1].upper()}{who[1:]} {did} {result}."
    if kind == "repeat":
        return rnd.choice(_REPEAT[lang]).format(
            nth=rnd.choice(_NTH[lang]), times=rnd.choice(_TIMES[lang])
        )
    return rnd.choice((_VENDOR if kind == "vendor" else _HANDOVER)[lang])


_SELF = {
    "nl": (
        "Ik heb al opnieuw opgestart",
        "Ik heb het al uit en aan gezet",
        "Heb het zelf al een paar keer geprobeerd",
        "Ik heb al even gezocht op intranet",
        "Al opnieuw ingelogd",
    ),
    "en": (
        "I already restarted",
        "I already turned it off and on",
        "Tried it myself a few times already",
        "I already searched the intranet",
        "Already logged in again",
    ),
}
_GREETING = {
    "nl": ("Beste servicedesk,", "Hoi helpdesk,", "Hallo ICT,", "Goedemorgen servicedesk,"),
    "en": ("Dear service desk,", "Hi helpdesk,", "Hello IT,", "Hi IT support,"),
}


def own_attempt(language: str, rnd: random.Random) -> str:
    """What the user tried alone, which does not move a ticket up (labelling rules), in the same
    words as an escalation's result: only who tried, or a repeated report, moves it."""
    lang = language if language in _SELF else "en"
    return f"{rnd.choice(_SELF[lang])} {rnd.choice(_RESULT[lang])}."


def desk_greeting(language: str, rnd: random.Random) -> str:
    """A greeting that names the desk, as many ordinary tickets do."""
    return rnd.choice(_GREETING[language if language in _GREETING else "en"])


_THING = {
    "nl": (
        "mijn computer",
        "het systeem",
        "de app",
        "het programma",
        "mijn account",
        "alles",
        "hij",
        "het",
    ),
    "en": (
        "my computer",
        "the system",
        "the app",
        "the program",
        "my account",
        "everything",
        "it",
        "this thing",
    ),
}
_COMPLAINT = {
    "nl": (
        "doet het niet",
        "doet raar",
        "werkt weer niet",
        "hangt",
        "is stuk",
        "doet vreemd sinds vanochtend",
    ),
    "en": (
        "doesn't work",
        "acts weird",
        "is broken again",
        "hangs",
        "is not working",
        "is weird since this morning",
    ),
}
_ASK = {
    "nl": ("", "kan iemand bellen?", "graag hulp", "help!", "wie kan er kijken", "snel aub"),
    "en": ("", "can someone call me?", "please help", "help!", "can anyone look", "asap pls"),
}


def vague_body(language: str, rnd: random.Random) -> str:
    """A complaint that names no problem: a thing, that it misbehaves, and maybe a plea."""
    lang = language if language in _THING else "en"
    text = f"{rnd.choice(_THING[lang])} {rnd.choice(_COMPLAINT[lang])} {rnd.choice(_ASK[lang])}"
    return text.strip()
