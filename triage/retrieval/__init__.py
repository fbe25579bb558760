"""Similar solved tickets and KB articles: FAISS + TF-IDF hybrid retrieval, calibrated cut-offs."""

from triage.retrieval.collection import Collection, SearchFilter
from triage.retrieval.config import RetrievalConfig
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
    "is_indexable",
    "tokenize",
]
