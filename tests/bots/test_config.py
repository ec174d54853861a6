from pathlib import Path

import pytest

from peerbot.bots.config import load_settings
from peerbot.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[answer]\nanswer_threshold = 'high'", "answer.answer_threshold: expected a number, got 'high'"),
        ("[answer]\ntreshold = 0.5", "answer.treshold: unknown key (known keys here: answer_threshold"),
        ("[answr]\nx = 1", "did you mean 'answer'?"),
        ("[[sources]]\nname = 'forum'\ntype = 'jsonl'", "source 'forum' of type 'jsonl' needs a path (a string)"),
        ("[[sources]]\ntype = 'jsonl'\npath = 'x.jsonl'", "sources[0].name: missing, expected a string"),
        ("[[superusers]]\nname = 'Mara'", "superusers[0].community_id: missing, expected a string"),
        (
            "[[sources]]\nname = 'a'\ntype = 'csv'\npath = 'x'",
            "source 'a': type 'csv' is not one of 'demo', 'jsonl', 'beir'",
        ),
        (
            "[answer]\nsuggest_threshold = 0.9\nanswer_threshold = 0.5",
            "suggest_threshold must not be above answer_threshold",
        ),
        ("[index]\nkeep_versions = 0", "index.keep_versions: expected an integer, got 0"),
        ("[state\nurl = 1", "is not valid TOML"),
        ("[discord]\nshard_ids = [0]", "shard_ids needs shard_count"),
        ("[discord]\nshard_count = 2\nshard_ids = [2]", "shard_ids [2] are outside 0..1"),
        ("[discord]\nshard_count = 0", "discord.shard_count: expected an integer"),
        ("[slack]\nworking_reaction = ':eyes:'", "working_reaction is an emoji name without colons"),
        ("[slack]\nworking_reaction = true", "slack.working_reaction: expected a string"),
        ("[slack]\nprivate_first_channels = ['#help']", "private_first_channels lists Slack channel ids"),
        ("[slack]\nprivate_first_channels = 'C0123'", "slack.private_first_channels: expected a list"),
        ("[discord]\nprivate_first_channels = ['help']", "private_first_channels lists Discord channel ids"),
    ],
)
def test_bad_config_names_key_and_expected_type(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, toml))
    assert message in str(info.value)


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "[index]\npath = 'data/index'\n[state]\nurl = 'sqlite:///db/s.db'"))
    assert settings.resolve(settings.index.path) == tmp_path / "data" / "index"
    assert settings.state_url == f"sqlite:///{tmp_path / 'db' / 's.db'}"


def test_database_url_env_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/elsewhere.db")
    assert load_settings(write(tmp_path, "")).state_url == "sqlite:////tmp/elsewhere.db"


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_repository_config_is_valid() -> None:
    settings = load_settings(Path(__file__).resolve().parents[2] / "config.toml")
    assert [s.community_id for s in settings.superusers] == ["u-mara", "u-devon", "u-priya", "u-tomasz"]
    assert settings.sources[0].type == "demo"
