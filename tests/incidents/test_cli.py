"""``socialdesk incident``: a bad file or field is one line naming it, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bots.cli import app
from tests.incidents.support import EXAMPLE, config_file


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ('title = "x"\n[match]\nfaqs = ["deposit-not-arrived"]\n', "text.en"),
        ('title = "x"\n[text]\nen = "y"\n[match]\nfaqs = ["nope"]\n', "match.faqs"),
        ('title = "x"\n[text]\nen = "y"\n[match]\nfaqs = []\n', "match.faqs"),
        ('title = "x"\n[text]\nen = "y"\n', "match"),
        (
            'title = "x"\n[text]\nen = "y"\n[match]\nfaqs = ["deposit-not-arrived"]\n'
            'networks = "TRON"\n',
            "match.networks",
        ),
        ('title = "x"\ncolour = "red"\n', "colour"),
        ("title = \n", "not valid TOML"),
    ],
)
def test_a_bad_incident_file_names_the_field(tmp_path: Path, content: str, named: str) -> None:
    bad = tmp_path / "incident.toml"
    bad.write_text(content, encoding="utf-8")
    cfg = config_file(tmp_path, tmp_path / "cli.db")
    result = CliRunner().invoke(app, ["incident", "open", str(bad), "--by", "sue", "-c", str(cfg)])
    assert result.exit_code == 2, result.output
    assert named in result.output and len(result.output.strip().splitlines()) == 1


def test_open_list_and_resolve_from_the_command_line(tmp_path: Path) -> None:
    cfg = str(config_file(tmp_path, tmp_path / "cli.db"))
    runner = CliRunner()
    gone = str(tmp_path / "none.toml")
    missing = runner.invoke(app, ["incident", "open", gone, "--by", "x", "-c", cfg])
    assert missing.exit_code == 2 and "cannot read" in missing.output
    nobody = runner.invoke(app, ["incident", "open", str(EXAMPLE), "--by", " ", "-c", cfg])
    assert nobody.exit_code == 2 and "--by" in nobody.output
    opened = runner.invoke(app, ["incident", "open", str(EXAMPLE), "--by", "sue", "-c", cfg])
    assert opened.exit_code == 0 and opened.output == "1\n"
    listed = runner.invoke(app, ["incident", "list", "-c", cfg])
    assert listed.output.splitlines()[1].split("\t")[:3] == ["1", "open", "TRON deposits delayed"]
    resolved = runner.invoke(app, ["incident", "resolve", "1", "--by", "sue", "-c", cfg])
    assert resolved.exit_code == 0 and "0 user(s)" in resolved.output
    unknown = runner.invoke(app, ["incident", "resolve", "7", "--by", "sue", "-c", cfg])
    assert unknown.exit_code == 1 and "no incident #7" in unknown.output
