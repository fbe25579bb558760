"""`RetrievalConfig`: how retrieval ranks and cuts results (stored with each index)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from triage.errors import ConfigError
from triage.retrieval.hybrid import FUSIONS

LEXICALS = ("tfidf", "bm25")


@dataclass(frozen=True, slots=True)
class RetrievalConfig:
    """How retrieval ranks and cuts results (stored with the index).

    `fusion`: "score" (rank by relevance), "rrf" (reciprocal rank fusion of dense and lexical),
    "dense" or "lexical". Relevance = (1 - alpha) * cosine + alpha * lexical similarity, where
    `lexical` picks the signal: "tfidf" (TF-IDF cosine over the BM25 tokens, 0 to 1) or "bm25"
    (BM25 over its upper bound for the query, 0 to 1). The default, alpha 0.5 over the TF-IDF
    cosine, gives both signals the same weight: nothing tuned on anyone's data. On two labelled
    sources (hadoop_bugs duplicates, support tickets' own answers) it ranks at least as well as
    the better of dense-only and lexical-only, where alpha tuned on hadoop (0.7) and alpha chosen
    per index from pseudo-queries did not transfer (BENCHMARKS.md, Retrieval).

    Results carry `relevance` "strong" or "weak"; below the floor they are dropped. Both cut-offs
    are calibrated per index at build time (`triage.retrieval.calibrate`) unless fixed here:
    `min_relevance` (the floor) is the lowest cut-off that leaves `unrelated_empty_share` of the
    unrelated queries (a built-in set of other domains' texts) with an empty list, but never
    above one that keeps `keep_share` of the known matches ranking in the top 10 (each source of
    known pairs on its own); `strong_relevance` is the cut-off below which a top hit is right at
    most `max_hit_rate` of the time. `default_min_relevance` / `default_strong_relevance` apply
    when the index's data cannot calibrate them (e.g. articles imported into an index built
    without any): 0.25 and 0.45 lie among what the benchmark indexes calibrate to (floors
    0.18-0.44, strong 0.43-0.80; BENCHMARKS.md, Retrieval).
    """

    fusion: str = "score"
    lexical: str = "tfidf"
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    alpha: float = 0.5
    candidates: int = 50
    min_relevance: float | None = None
    default_min_relevance: float = 0.25
    strong_relevance: float | None = None
    default_strong_relevance: float = 0.45
    keep_share: float = 0.95
    unrelated_empty_share: float = 0.9
    max_hit_rate: float = 0.1
    index_kind: str = "auto"
    approx_threshold: int = 50_000

    def __post_init__(self) -> None:
        if self.fusion not in FUSIONS:
            raise ConfigError(f"fusion {self.fusion!r} is unknown; use one of {', '.join(FUSIONS)}")
        if self.lexical not in LEXICALS:
            raise ConfigError(
                f"lexical {self.lexical!r} is unknown; use one of {', '.join(LEXICALS)}"
            )
        if not 0.0 <= self.alpha <= 1.0:
            raise ConfigError(f"alpha {self.alpha} is outside [0, 1]")
        for name in ("keep_share", "unrelated_empty_share"):
            if not 0.5 <= getattr(self, name) < 1.0:
                raise ConfigError(f"{name} {getattr(self, name)} is outside [0.5, 1)")

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return asdict(self)
