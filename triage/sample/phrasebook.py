"""The shape of a language's phrase book: problem phrasings and the channel frames around them."""

from __future__ import annotations

from dataclasses import dataclass

from triage.schema import Level


@dataclass(frozen=True, slots=True)
class Problem:
    """How users describe one subcategory's problem, and how agents and the KB answer it.

    Texts may hold `{slot}` placeholders filled from `entities.SLOTS` (same value per ticket).
    `outage` is (symptom, cause, solution) for a burst: many users, one broken service.
    """

    subjects: tuple[str, ...]
    symptoms: tuple[str, ...]
    causes: tuple[str, ...]
    solutions: tuple[str, ...]
    kb_title: str
    kb_steps: tuple[str, ...]
    outage: tuple[str, str, str] | None = None


@dataclass(frozen=True, slots=True)
class Frames:
    """Language-specific text around a problem: greetings, cues, channel styles."""

    greetings: tuple[str, ...]
    signoffs: tuple[str, ...]
    impact_cues: dict[Level, tuple[str, ...]]
    urgency_cues: dict[Level, tuple[str, ...]]
    escalation_cues: tuple[str, ...]
    details: tuple[str, ...]
    vague_subjects: tuple[str, ...]
    vague_bodies: tuple[str, ...]
    phone_openers: tuple[str, ...]
    phone_closers: tuple[str, ...]
    chat_openers: tuple[str, ...]
    portal_fields: tuple[str, str, str, str]
    forward_header: str
    forward_intro: tuple[str, ...]
    mixed_inserts: tuple[str, ...]
    kb_headings: tuple[str, str, str]
    cancel_notes: tuple[str, ...]
    outage_note: str
