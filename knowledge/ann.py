"""The dense search structure of an index version: exact FlatIP for small sets, IVF + 8-bit codes for big ones.

Vectors are unit length, so inner product is cosine. From `IndexLayout.ivf_from` entries on, an inverted file
of `ivf_lists(count)` k-means lists with 8-bit scalar-quantised codes (4x smaller than float32) is searched in
`nprobe` lists instead of scanning every vector. The layout is chosen at build time and recorded in the
manifest, so a reader sets the same `nprobe`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

FLAT = "flat"
IVF_SQ8 = "ivf-sq8"


@dataclass(frozen=True)
class IndexLayout:
    """How a build lays out the dense index (config `[index] ivf_from`, `nprobe`)."""

    ivf_from: int = 50_000  # below this many entries the exact flat index is fast enough
    nprobe: int = 64  # lists searched per question (recall@30 on real embeddings: benchmarks/recall.py)

    def __post_init__(self) -> None:
        if self.ivf_from < 1:
            raise ValueError(f"ivf_from must be at least 1, got {self.ivf_from}")
        if self.nprobe < 1:
            raise ValueError(f"nprobe must be at least 1, got {self.nprobe}")


def ivf_lists(count: int) -> int:
    """k-means lists for `count` vectors: about sqrt(count), 16 to 1024."""
    return int(min(1024, max(16, np.sqrt(count))))


def flat_index(vectors: np.ndarray) -> Any:
    """An exact inner-product FAISS index over unit vectors (inner product = cosine)."""
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def build_search_index(
    vectors: np.ndarray, layout: IndexLayout, lists: int | None = None
) -> tuple[Any, dict[str, Any]]:
    """The search index for these vectors and its description for the manifest (lists: override the count,
    for measuring the lists of a bigger index on the vectors at hand)."""
    import faiss

    if len(vectors) < max(layout.ivf_from, 1) or len(vectors) < 64:
        return flat_index(vectors), {"kind": FLAT}
    dimension = vectors.shape[1]
    if lists is None:
        lists = min(ivf_lists(len(vectors)), len(vectors) // 39 or 1)  # faiss wants ~39 training points a list
    quantizer = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dimension, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    rng = np.random.default_rng(0)
    sample = vectors[np.sort(rng.choice(len(vectors), size=min(len(vectors), 64 * lists), replace=False))]
    index.train(np.ascontiguousarray(sample, dtype=np.float32))
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    nprobe = min(layout.nprobe, lists)
    index.nprobe = nprobe
    return index, {"kind": IVF_SQ8, "lists": lists, "nprobe": nprobe}


def prepare(index: Any, description: dict[str, Any]) -> Any:
    """Settings an index read back from disk needs: the probes per question recorded at build."""
    import faiss

    ivf = faiss.try_extract_index_ivf(index) if description.get("kind") == IVF_SQ8 else None
    if ivf is not None:
        ivf.nprobe = int(description.get("nprobe", IndexLayout().nprobe))
    return index


def search(index: Any, queries: np.ndarray, k: int, exclude: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(scores, ids) of the k best rows for each query, never returning a position in `exclude`.

    Excluded positions are skipped inside FAISS (an ID selector), so k results come back even when most
    entries are excluded, instead of fetching more and filtering afterwards."""
    import faiss

    queries = np.ascontiguousarray(queries.reshape(-1, index.d), dtype=np.float32)
    if exclude is None or not len(exclude):
        scores, ids = index.search(queries, k)
        return scores, ids
    excluded = faiss.IDSelectorBatch(np.ascontiguousarray(exclude, dtype=np.int64))
    selector = faiss.IDSelectorNot(excluded)  # `excluded` stays referenced until the search returns
    ivf = faiss.try_extract_index_ivf(index)
    params: Any = faiss.SearchParametersIVF() if ivf is not None else faiss.SearchParameters()
    params.sel = selector
    if ivf is not None:
        params.nprobe = ivf.nprobe
    scores, ids = index.search(queries, k, params=params)
    del excluded
    return scores, ids
