"""The README documents every setting, layer and command, so the docs cannot rot."""

import re
from pathlib import Path

from components.settings import SETTINGS
from layers.cli import _parser
from layers.schemas import SCHEMAS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    """Each setting and its environment variable appear in README.md."""
    for name, (_default, env, _doc) in SETTINGS.items():
        assert f"`{name}`" in README, name
        assert f"`{env}`" in README, env


def test_every_layer_is_documented():
    """Each layer of the store appears in README.md's layer table."""
    for name in SCHEMAS:
        assert re.search(rf"^\| `{name}` \|", README, re.M), name


def test_every_command_is_documented():
    """Each `python -m layers` subcommand appears in README.md."""
    sub = next(a for a in _parser()._actions if a.dest == "command")
    for command in sub.choices:
        assert f"python -m layers {command}" in README, command


def test_readme_names_the_two_commands():
    """README shows `make run` and `make test`, and CI calls `make test`."""
    assert "make run" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_geodata_readme_names_every_source_file():
    """geodata/README.md records each file shipped in geodata/."""
    text = (ROOT / "geodata" / "README.md").read_text(encoding="utf-8")
    for path in (ROOT / "geodata").iterdir():
        if path.name != "README.md":
            assert path.name in text, path.name
