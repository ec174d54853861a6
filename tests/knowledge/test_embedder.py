import numpy as np
import pytest

from peerbot.errors import ConfigError
from peerbot.knowledge.embedder import HashingEmbedder, SentenceTransformerEmbedder, load_embedder


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


@pytest.mark.slow
def test_the_real_model_knows_ordinary_words_not_made_up_names() -> None:
    """The scope's names (bots/scope_names.py) are the community's words the model cannot place."""
    embedder = load_embedder("all-MiniLM-L6-v2")
    assert isinstance(embedder, SentenceTransformerEmbedder)
    known_word = embedder.known_word
    assert known_word("bulb") and known_word("settings") and known_word("Kitchen")
    assert not known_word("Lumo") and not known_word("lightstrip") and not known_word("zigbee")
