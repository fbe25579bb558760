"""Knowledge-base articles for the sample organisation's recurring problems (nl and en)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from triage.sample.compose import frames, problem
from triage.sample.entities import Slots
from triage.sample.taxonomy import Category, Subcategory, all_subcategories
from triage.schema import KBArticle

LANGUAGES = ("nl", "en")
FAQ_MIN_WEIGHT = 4.0
"""Subcategories at least this frequent also get a FAQ article per language."""
_FAQ = {"nl": "Veelgestelde vraag", "en": "FAQ"}
_UPDATED_FROM = datetime(2023, 6, 1, tzinfo=UTC)


@dataclass
class KnowledgeBase:
    """The articles and, per (subcategory, language), the ids that answer it (main one first)."""

    articles: list[KBArticle] = field(default_factory=list)
    by_problem: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def add(self, key: tuple[str, str], article: KBArticle) -> None:
        """Append an article that answers the problem `key` = (subcategory, language)."""
        self.articles.append(article)
        self.by_problem.setdefault(key, []).append(article.article_id)


def build_kb(rnd: random.Random) -> KnowledgeBase:
    """Two to four articles per recurring problem with a KB entry: a how-to per language and,
    for the most frequent problems, a FAQ article per language. Ids `KB-0001`..."""
    kb = KnowledgeBase()
    for category, sub in all_subcategories():
        if not sub.kb:
            continue
        for language in LANGUAGES:
            _add(kb, category, sub, language, _how_to(sub.key, language, rnd), rnd)
        if sub.weight >= FAQ_MIN_WEIGHT:
            for language in LANGUAGES:
                _add(kb, category, sub, language, _faq(sub.key, language, rnd), rnd)
    return kb


def _add(
    kb: KnowledgeBase,
    category: Category,
    sub: Subcategory,
    language: str,
    text: tuple[str, str],
    rnd: random.Random,
) -> None:
    updated = _UPDATED_FROM + timedelta(days=rnd.randrange(0, 540), minutes=rnd.randrange(0, 1440))
    article = KBArticle(
        article_id=f"KB-{len(kb.articles) + 1:04d}",
        title=text[0],
        body=text[1],
        category=category.key,
        language=language,
        updated_at=updated,
    )
    kb.add((sub.key, language), article)


def _how_to(sub: str, language: str, rnd: random.Random) -> tuple[str, str]:
    pb, headings = problem(sub, language), frames(language).kb_headings
    steps = "\n".join(f"{i}. {s}" for i, s in enumerate(pb.kb_steps, start=1))
    body = (
        f"{headings[0]}: {pb.subjects[0]}\n\n{headings[1]}: {pb.causes[0]}\n\n"
        f"{headings[2]}:\n{steps}"
    )
    slots = Slots(rnd)
    return pb.kb_title.format_map(slots), body.format_map(slots)


def _faq(sub: str, language: str, rnd: random.Random) -> tuple[str, str]:
    """A short question-and-answer article in the service desk's own words."""
    pb, headings = problem(sub, language), frames(language).kb_headings
    title = f"{_FAQ[language]}: {pb.subjects[1]}"
    body = f"{headings[1]}: {pb.causes[-1]}\n\n{headings[2]}: {pb.solutions[-1]}"
    slots = Slots(rnd)
    return title.format_map(slots), body.format_map(slots)
