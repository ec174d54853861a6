import pytest

from peerbot.knowledge.sanitize import clean_text, neutralize_mentions


@pytest.mark.parametrize(
    "raw",
    [
        "@everyone the cloud is down",
        "heads up @here",
        "ping <!channel> now",
        "<!here|here> and <!everyone>",
        "role <@&123456789012345678>",
        "user <@U024BE7LH> and <@!80351110224678912>",
        "<!subteam^SAZ94GDB8|@engineering> look",
    ],
)
def test_no_mention_survives(raw: str) -> None:
    safe = neutralize_mentions(raw)
    for ping in ("@everyone", "@here", "<!channel>", "<!here", "<!everyone>", "<@&", "<@U", "<@!", "<!subteam"):
        assert ping not in safe
    assert safe.strip()


def test_plain_text_and_emails_untouched() -> None:
    assert neutralize_mentions("mail help@lumo.example about the hub") == "mail help@lumo.example about the hub"


def test_clean_text_drops_control_characters_and_blank_runs() -> None:
    assert clean_text("a\x00b\r\n\n\n\nc") == "ab\n\nc"
