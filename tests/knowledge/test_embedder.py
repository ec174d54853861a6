import numpy as np
import pytest

from peerbot.errors import ConfigError
from peerbot.knowledge.embedder import HashingEmbedder, load_embedder


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    embedder = HashingEmbedder(64)
    a, b = embedder.embed(["hub offline at night", "hub offline at night"])
    assert np.allclose(a, b)
    assert np.isclose(np.linalg.norm(a), 1.0)
    close, far = embedder.embed(["hub offline night", "refund my order"])
    assert float(a @ close) > float(a @ far)


def test_unknown_model_names_the_setting(tmp_path: object) -> None:
    with pytest.raises(ConfigError, match=r"\[index\].model") as raised:
        load_embedder("/nonexistent/model/folder-xyz")
    assert raised.value.key == "[index].model" and raised.value.got == "/nonexistent/model/folder-xyz"
