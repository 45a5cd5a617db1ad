"""Agreement of the guard's block-list matcher with MetaMask's eth-phishing-detect cases.

The cases (``../shared/ethpd/cases.jsonl``, 465 of them) say for each domain and
config whether upstream blocks it, allows it, or must not fuzzy-match it; the guard's
``BlockList`` must give the same answer on every one.
"""

from __future__ import annotations

import json
from pathlib import Path

from handlers.scam.links import BlockList, parse_config

# beside the repository: ../shared/ethpd from a checkout, ../../shared/ethpd from a worktree
ETHPD = next(
    (
        p / "shared" / "ethpd"
        for p in Path(__file__).resolve().parents[1:4]
        if (p / "shared" / "ethpd").is_dir()
    ),
    Path(__file__).resolve().parents[2] / "shared" / "ethpd",
)


def ethpd_agreement(folder: Path = ETHPD) -> tuple[int, int] | None:
    """Prints and returns (agreeing, cases); ``None`` when the cases are not there."""
    if not (folder / "config.json").exists():
        print(f"eth-phishing-detect cases: skipped ({folder} not found)")
        return None
    legacy = json.loads((folder / "config.json").read_text())
    wrapped = [
        {
            "name": "MetaMask",
            "version": legacy["version"],
            "tolerance": legacy["tolerance"],
            "allowlist": legacy["whitelist"],
            "blocklist": legacy["blacklist"],
            "fuzzylist": legacy["fuzzylist"],
        }
    ]
    lists = {
        "config.json": BlockList(parse_config(legacy)),
        "config.json#as-v2-array": BlockList(parse_config(wrapped)),
    }
    agree = count = 0
    disagreements: list[str] = []
    for line in (folder / "cases.jsonl").read_text().splitlines():
        case = json.loads(line)
        name = case["config"]
        if name not in lists:
            lists[name] = BlockList(parse_config(json.loads((folder / name).read_text())))
        result = lists[name].check(case["domain"])
        expected = case["expect"]
        if expected == "blocked":
            ok = result is not None
        elif expected == "allowed":
            ok = result is None
        else:
            ok = result is None or result[0] != "fuzzy"
        agree += ok
        count += 1
        if not ok:
            disagreements.append(f"  {name}: {case['domain']} expected {expected}, got {result}")
    print(f"eth-phishing-detect cases: {agree}/{count} agree", *disagreements, sep="\n")
    return agree, count
