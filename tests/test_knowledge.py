"""The knowledge base: a broken file is named precisely and never takes answers down."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from handlers.answers import KnowledgeBase, KnowledgeError, KnowledgeReloader, load_file

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "knowledge" / "example.toml"

GOOD = """\
[[airdrops]]
id = "abc-launch"
token = "ABC"
name = { en = "ABC launch airdrop" }
snapshot_at = 2026-11-20T12:00:00Z
distribution_at = 2026-11-25T12:00:00Z
eligibility = { en = "Hold 100 USDT." }
how_to_claim = { en = "Automatic." }
official_contract = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(KnowledgeError) as caught:
        load_file(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_example_base_ships_with_enough_entries_in_the_seed_languages() -> None:
    parsed = load_file(EXAMPLE)
    assert len(parsed.activities) >= 4 and len(parsed.airdrops) >= 4 and len(parsed.faqs) >= 15
    for entry in (*parsed.activities, *parsed.airdrops):
        assert {"en", "zh", "vi", "de"} <= set(entry.name)
    for faq in parsed.faqs:
        assert {"en", "zh", "vi", "de"} <= set(faq.answer) <= set(faq.questions)


def test_a_toml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "kb.toml", GOOD.replace('token = "ABC"', "token = ABC"))
    assert error_of(path).startswith(f"{path}:3: TOML syntax")


def test_a_bad_field_names_the_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path / "kb.toml", GOOD.replace("2026-11-25T12:00:00Z", '"soon"'))
    message = error_of(path)
    assert message.startswith(f"{path}:6: airdrops[0].distribution_at:")


def test_a_time_without_zone_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "kb.toml", GOOD.replace("2026-11-20T12:00:00Z", "2026-11-20T12:00:00"))
    assert error_of(path) == (
        f"{path}:5: airdrops[0].snapshot_at: needs a time zone offset, e.g. 2026-12-01T00:00:00Z"
    )


def test_a_text_without_english_is_rejected(tmp_path: Path) -> None:
    path = write(
        tmp_path / "kb.toml", GOOD.replace('{ en = "Automatic." }', '{ de = "Automatisch." }')
    )
    assert error_of(path).startswith(f"{path}:8: airdrops[0].how_to_claim: needs an English text")


def test_a_misspelt_field_and_a_duplicate_id_are_rejected(tmp_path: Path) -> None:
    typo = write(tmp_path / "typo.toml", GOOD.replace("eligibility", "eligibilty"))
    assert error_of(typo) == f"{typo}:7: airdrops[0].eligibilty: unknown field"
    twice = write(tmp_path / "twice.toml", GOOD + "\n" + GOOD)
    assert error_of(twice) == f"{twice}:12: airdrops[1].id: duplicate id 'abc-launch'"


def test_a_broken_edit_keeps_the_last_good_version_in_service(tmp_path: Path) -> None:
    path = write(tmp_path / "kb.toml", GOOD)
    base = KnowledgeBase([path])
    assert base.refresh()
    good = base.current
    write(tmp_path / "kb.toml", GOOD.replace('token = "ABC"', 'token = "ABC'))
    assert not base.refresh()
    assert base.current is good
    assert base.official_contracts() == {"ABC": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}
    assert len(base.errors) == 1 and base.errors[0].startswith(f"{path}:3:")
    write(tmp_path / "kb.toml", GOOD.replace("ABC launch airdrop", "ABC airdrop, renamed") + "\n")
    assert base.refresh()
    assert base.errors == []
    assert base.current.by_ref["airdrop:abc-launch"].name["en"] == "ABC airdrop, renamed"


def test_a_missing_file_does_not_stop_the_others(tmp_path: Path) -> None:
    base = KnowledgeBase([tmp_path / "absent.toml", write(tmp_path / "kb.toml", GOOD)])
    base.refresh()
    assert list(base.current.by_ref) == ["airdrop:abc-launch"]
    assert "absent.toml: cannot read" in base.errors[0]


async def test_the_reloader_picks_up_a_changed_file(tmp_path: Path) -> None:
    path = write(tmp_path / "kb.toml", GOOD)
    base = KnowledgeBase([path])
    async with KnowledgeReloader(base, interval=0.01):
        assert base.official_contracts() == {"ABC": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}
        write(
            path,
            GOOD.replace('official_contract = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"\n', ""),
        )
        for _ in range(200):
            if not base.official_contracts():
                break
            await asyncio.sleep(0.01)
    assert base.official_contracts() == {}


def test_the_reloader_never_loads_a_file_caught_half_written(tmp_path: Path) -> None:
    path = write(tmp_path / "kb.toml", GOOD)
    base = KnowledgeBase([path])
    assert base.refresh()
    good = base.current
    path.write_text(GOOD[: len(GOOD) // 2], encoding="utf-8")  # the editor is mid-write
    assert not base.refresh(settle=True)  # first look: it just changed, wait
    assert base.current is good and base.errors == []
    write(path, GOOD.replace("ABC launch airdrop", "ABC airdrop, renamed"))  # write done
    assert not base.refresh(settle=True)  # changed again since the last look: wait
    assert base.refresh(settle=True)  # it stood still: now it is read
    assert base.current.by_ref["airdrop:abc-launch"].name["en"] == "ABC airdrop, renamed"
    assert base.errors == []
