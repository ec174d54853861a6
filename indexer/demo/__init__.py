"""The bundled demo community: the help forum of Lumo, a made-up smart-lighting brand."""

from pathlib import Path

COMMUNITY = Path(__file__).with_name("lumo_community.jsonl")
