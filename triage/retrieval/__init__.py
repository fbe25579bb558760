"""Similar solved tickets and KB articles: FAISS + BM25 hybrid retrieval, calibrated cut-offs."""

from triage.retrieval.collection import Collection, RetrievalConfig, SearchFilter, fit_min_relevance
from triage.retrieval.index import Hit, VectorIndex
from triage.retrieval.lexical import BM25Index, tokenize
from triage.retrieval.relevance import ThresholdFit, calibrate_threshold
from triage.retrieval.retriever import Retriever, is_indexable

__all__ = [
    "BM25Index",
    "Collection",
    "Hit",
    "RetrievalConfig",
    "Retriever",
    "SearchFilter",
    "ThresholdFit",
    "VectorIndex",
    "calibrate_threshold",
    "fit_min_relevance",
    "is_indexable",
    "tokenize",
]
