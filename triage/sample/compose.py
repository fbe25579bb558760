"""Write one ticket's subject and body in the style of its channel and language."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from triage.sample import noise, phrases_en, phrases_nl
from triage.sample.entities import Slots, email_of, person_name, phone_number
from triage.sample.escalation import desk_greeting, escalation_cue, own_attempt, vague_body
from triage.sample.phrasebook import Frames, Problem
from triage.schema import Channel, Level

PORTAL_EN = {
    "Inloggen": "Login",
    "E-mail": "E-mail",
    "Printen": "Printing",
    "Toegang": "Access",
    "Hardware": "Hardware",
    "Netwerk": "Network",
    "Telefonie": "Telephony",
    "Overig": "Other",
    "Applicaties": "Applications",
    "Software": "Software",
    "Beveiliging": "Security",
    "Aanvragen": "Requests",
}
PORTAL_LABELS = tuple(PORTAL_EN)
ESCALATION_SAID = 0.85
"""Share of escalated tickets whose text says so (the rest escalated for reasons not written)."""
COMPOSED_ESCALATION, COMPOSED_VAGUE = 0.7, 0.5
"""Shares of escalation cues and vague bodies composed from parts (`triage.sample.escalation`)
rather than taken from the phrase book's few fixed sentences."""
IMPACT_SAID = {Level.HIGH: 0.85, Level.MEDIUM: 0.5, Level.LOW: 0.45}
"""Share of tickets whose text states their impact, per level. Medium (a team, a few colleagues)
was said as often as high (85%), so a ticket without an impact phrase read as low impact with
confidence: on the hand-written development sets, P3 tickets that mention colleagues in passing,
in words the phrase book lacks ("collega's op dezelfde verdieping hebben het ook"), were
auto-applied as P4 at 0.81-0.95. Said about as often as low impact, a missing phrase no longer
tells the two apart, and validation teaches the model that."""
OWN_ATTEMPT, DESK_GREETING = 0.15, 0.3
"""Shares of other tickets that say what the user tried alone, and of e-mail greetings that
name the desk: the words of an escalation without one, so that only who tried (or a repeated
report) tells the line, not "al", "maar het helpt niet" or "servicedesk" alone."""
WALK_IN = {"nl": "Langs geweest bij de IT-balie: ", "en": "Walk-in at the IT desk: "}
PHISH = {
    "nl": (
        "Beste gebruiker,\nUw mailbox is bijna vol. Klik binnen 24 uur op de onderstaande link "
        "om uw account te verifiëren: http://rivierstad-mail.verify-login.example/owa"
    ),
    "en": (
        "Dear user,\nYour password expires today. Keep your current password by signing in "
        "here: http://m365-rivierstad.secure-check.example/login"
    ),
}


@dataclass(frozen=True, slots=True)
class TextSpec:
    """What the text of one ticket must convey (decided by the generator before writing)."""

    subcategory: str
    language: str
    channel: Channel
    portal_label: str
    impact: Level
    urgency: Level
    escalated: bool
    outage: bool
    vague: bool
    forwarded: bool
    typos: bool
    mixed: bool
    local_time: datetime
    short: bool = False
    """A one-liner: a fragment of one symptom, nothing else."""
    reworded: bool = False
    """The user's own words for part of the phrase book's (`noise.reword`)."""
    telegraph: bool = False
    """Filler words dropped, lower case (`noise.telegraph`)."""
    second: str | None = None
    """A second, unrelated problem (a subcategory) tacked on; the labels stay the first one's."""


@dataclass(frozen=True, slots=True)
class Person:
    """A fake employee: name, address, department, phone and preferred language."""

    name: str
    email: str
    dept: str
    phone: str
    language: str

    @property
    def last(self) -> str:
        """The surname with its prefix ("van den Berg")."""
        return self.name.split(" ", 1)[1]


def frames(language: str) -> Frames:
    """The channel frames of a language ("nl" or "en")."""
    return phrases_nl.FRAMES if language == "nl" else phrases_en.FRAMES


def problem(subcategory: str, language: str) -> Problem:
    """The phrase book entry of a subcategory in a language."""
    book = phrases_nl.PROBLEMS if language == "nl" else phrases_en.PROBLEMS
    return book[subcategory]


def compose(spec: TextSpec, person: Person, rnd: random.Random, slots: Slots) -> tuple[str, str]:
    """(subject, body) of a ticket as its requester, an agent or monitoring would write it."""
    if spec.channel is Channel.MONITORING:
        subject, body = phrases_en.ALERTS[spec.subcategory]
        return subject.format_map(slots), body.format_map(slots)
    fr, pb = frames(spec.language), problem(spec.subcategory, spec.language)
    subject = _subject(spec, fr, pb, rnd)
    sentences = _vague(spec, fr, rnd) if spec.vague else _sentences(spec, fr, pb, rnd)
    body = _frame(spec, fr, person, subject, sentences, rnd)
    subject, body = subject.format_map(slots), body.format_map(slots)
    if spec.typos:
        body = add_typos(body, rnd, rnd.randint(1, 3))
    return subject, body


def _subject(spec: TextSpec, fr: Frames, pb: Problem, rnd: random.Random) -> str:
    if spec.vague or rnd.random() < 0.03:
        return rnd.choice(fr.vague_subjects)
    subject = rnd.choice(pb.subjects)
    if spec.reworded:
        subject = noise.reword(subject, spec.language, rnd)
    if spec.outage and rnd.random() < 0.3:
        subject = ("STORING: " if spec.language == "nl" else "OUTAGE: ") + subject
    return subject


def _vague(spec: TextSpec, fr: Frames, rnd: random.Random) -> list[str]:
    if rnd.random() < COMPOSED_VAGUE:
        return [vague_body(spec.language, rnd)]
    return [rnd.choice(fr.vague_bodies)]


def _sentences(spec: TextSpec, fr: Frames, pb: Problem, rnd: random.Random) -> list[str]:
    core = _core(spec, pb, rnd)
    if spec.reworded:
        core = [noise.reword(s, spec.language, rnd) for s in core]
    if spec.short:
        return [noise.fragment(core[0], rnd)]
    if spec.second is not None:
        other = rnd.choice(problem(spec.second, spec.language).symptoms)
        core.append(noise.tack_on(spec.language, other, rnd))
    sentences = core + _extras(spec, fr, rnd)
    if spec.telegraph:
        sentences = [noise.telegraph(s, spec.language, rnd) for s in sentences]
    return sentences


def _extras(spec: TextSpec, fr: Frames, rnd: random.Random) -> list[str]:
    """Details, escalation, impact and urgency cues, a mixed-language insert; shuffled."""
    extra: list[str] = []
    if rnd.random() < 0.35:
        extra.append(rnd.choice(fr.details))
    if spec.escalated and rnd.random() < ESCALATION_SAID:
        extra.append(_escalation(spec, fr, rnd))
    elif rnd.random() < OWN_ATTEMPT:
        extra.append(own_attempt(spec.language, rnd))
    if rnd.random() < IMPACT_SAID[spec.impact]:
        extra.append(rnd.choice(fr.impact_cues[spec.impact]))
    if rnd.random() < (0.85 if spec.urgency is Level.HIGH else 0.45):
        extra.append(rnd.choice(fr.urgency_cues[spec.urgency]))
    if spec.mixed:
        extra.insert(0, rnd.choice(fr.mixed_inserts))
    rnd.shuffle(extra)
    return extra


def _escalation(spec: TextSpec, fr: Frames, rnd: random.Random) -> str:
    if rnd.random() < COMPOSED_ESCALATION:
        return escalation_cue(spec.language, spec.subcategory, rnd)
    return rnd.choice(fr.escalation_cues)


def _core(spec: TextSpec, pb: Problem, rnd: random.Random) -> list[str]:
    if spec.outage and pb.outage is not None:
        return [pb.outage[0]] if rnd.random() < 0.6 else [rnd.choice(pb.symptoms), pb.outage[0]]
    k = 2 if rnd.random() < 0.3 else 1
    return rnd.sample(pb.symptoms, k)


def _frame(
    spec: TextSpec,
    fr: Frames,
    person: Person,
    subject: str,
    sentences: list[str],
    rnd: random.Random,
) -> str:
    channel = spec.channel
    if channel is Channel.PHONE:
        return _phone(fr, person, sentences, rnd)
    if channel is Channel.WALK_IN:
        return WALK_IN[spec.language] + " ".join(sentences)
    if channel is Channel.CHAT:
        return _chat(spec, fr, person, sentences, rnd)
    if channel is Channel.PORTAL:
        return _portal(spec, fr, person, sentences, rnd)
    if spec.forwarded:
        return _forward(spec, fr, person, subject, sentences, rnd)
    return _email(fr, person, sentences, rnd, spec.language)


def _phone(fr: Frames, person: Person, sentences: list[str], rnd: random.Random) -> str:
    opener = (
        rnd.choice(fr.phone_openers).replace("{name}", person.name).replace("{last}", person.last)
    )
    closer = rnd.choice(fr.phone_closers).replace("{phone}", person.phone)
    return f"{opener}{' '.join(sentences)} {closer}".strip()


def _chat(
    spec: TextSpec, fr: Frames, person: Person, sentences: list[str], rnd: random.Random
) -> str:
    first = person.name.split(" ")[0]
    t = spec.local_time
    lines = [rnd.choice(fr.chat_openers), *(s.rstrip(".") for s in sentences)]
    if rnd.random() < 0.5:
        lines = [line.lower() for line in lines]
    return "\n".join(
        f"[{t.hour:02d}:{(t.minute + i) % 60:02d}] {first}: {line}" for i, line in enumerate(lines)
    )


def _portal(
    spec: TextSpec, fr: Frames, person: Person, sentences: list[str], rnd: random.Random
) -> str:
    label = spec.portal_label if spec.language == "nl" else PORTAL_EN[spec.portal_label]
    cat, desc, loc, tel = fr.portal_fields
    lines = [f"{cat}: {label}", f"{desc}: {' '.join(sentences)}", f"{loc}: {{building}}"]
    if rnd.random() < 0.6:
        lines.append(f"{tel}: {person.phone}")
    return "\n".join(lines)


def _email(
    fr: Frames, person: Person, sentences: list[str], rnd: random.Random, language: str = "nl"
) -> str:
    parts = []
    if rnd.random() < 0.75:
        greeting = rnd.choice(fr.greetings)
        parts.append(desk_greeting(language, rnd) if rnd.random() < DESK_GREETING else greeting)
    parts.append(" ".join(sentences))
    signature = person.name if rnd.random() < 0.7 else person.name.split(" ")[0]
    if rnd.random() < 0.45:
        signature += f"\n{person.dept}\nT: {person.phone}"
    parts.append(f"{rnd.choice(fr.signoffs)}\n{signature}")
    return "\n\n".join(parts)


def _forward(
    spec: TextSpec,
    fr: Frames,
    person: Person,
    subject: str,
    sentences: list[str],
    rnd: random.Random,
) -> str:
    """A mail forwarded with its history quoted: a colleague's report, or the phishing mail."""
    if spec.subcategory == "phishing":
        sender, address, quoted = (
            "IT Helpdesk",
            "noreply@secure-check.example",
            PHISH[spec.language],
        )
    else:
        sender = person_name(rnd)
        colleague = Person(sender, email_of(sender), person.dept, phone_number(rnd), spec.language)
        address, quoted = colleague.email, _email(fr, colleague, sentences, rnd, spec.language)
    header = fr.forward_header.format(
        fwd_name=sender,
        fwd_email=address,
        name=person.name,
        subject=subject,
        fwd_date=spec.local_time.strftime("%d-%m-%Y %H:%M"),
    )
    quoted_lines = "\n".join("> " + line for line in quoted.splitlines())
    intro = rnd.choice(fr.forward_intro)
    return f"{intro}\n\n{rnd.choice(fr.signoffs)}\n{person.name}\n\n{header}\n\n{quoted_lines}"


def add_typos(text: str, rnd: random.Random, n: int) -> str:
    """`text` with `n` typos (swapped, dropped or doubled letters) in words of 4+ letters."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    for i in rnd.sample(candidates, min(n, len(candidates))):
        words[i] = _typo(words[i], rnd)
    return " ".join(words)


def _typo(word: str, rnd: random.Random) -> str:
    j = rnd.randrange(1, len(word) - 1)
    kind = rnd.randrange(3)
    if kind == 0:
        return word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    if kind == 1:
        return word[:j] + word[j + 1 :]
    return word[:j] + word[j] + word[j:]
