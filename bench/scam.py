"""The scam guard on a labelled corpus: recall per category, false positives, speed.

Runs every message of ``bench/data/scam.jsonl`` through the guard's detectors (as the
guard stage does, with the example brand's official domains and an official ABC
contract) and prints recall per category (a scam counts as caught when its verdict is
not "clean"), the false-positive rate on ordinary support messages, and messages/s.
When ``../shared/ethpd`` is beside the repository it also reports agreement with the
eth-phishing-detect test cases. Usage: python bench/scam.py [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handlers.scam.detect import inspect
from handlers.scam.links import BlockList, parse_config

DATA = Path(__file__).parent / "data" / "scam.jsonl"
ETHPD = Path(__file__).resolve().parents[2] / "shared" / "ethpd"
OFFICIAL = ("example.com",)
CONTRACTS = {"ABC": "0x52908400098527886E0F7030069857D2E4169EE7"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    blocklist = BlockList()
    caught: Counter[str] = Counter()
    total: Counter[str] = Counter()
    false_positive = 0
    ordinary = 0
    misses: list[str] = []
    began = time.perf_counter()
    for row in rows:
        findings = inspect(
            row["text"],
            official_domains=OFFICIAL,
            blocklist=blocklist,
            official_contracts=CONTRACTS,
        )
        flagged = bool(findings)
        if row["label"] == "scam":
            total[row["category"]] += 1
            caught[row["category"]] += flagged
            if not flagged:
                misses.append(f"missed {row['category']}: {row['text']}")
        else:
            ordinary += 1
            false_positive += flagged
            if flagged:
                misses.append(f"false positive ({findings[0].reason}): {row['text']}")
    elapsed = time.perf_counter() - began
    scams = sum(total.values())
    print(f"messages: {len(rows)} ({scams} scam or suspicious, {ordinary} ordinary)")
    print(f"recall overall: {sum(caught.values()) / scams:.1%}  (target >= 95%)")
    for category in sorted(total):
        print(
            f"  {category:<14} {caught[category] / total[category]:.1%}  "
            f"({caught[category]}/{total[category]})"
        )
    print(f"false positive rate: {false_positive / ordinary:.2%}  (target <= 1%)")
    print(f"messages/s: {len(rows) / elapsed:,.0f}  (target >= 2,000)")
    if args.show_misses:
        print("\n".join(misses))
    ethpd_agreement()


def ethpd_agreement() -> None:
    if not (ETHPD / "config.json").exists():
        print(f"eth-phishing-detect cases: skipped ({ETHPD} not found)")
        return
    legacy = json.loads((ETHPD / "config.json").read_text())
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
    for line in (ETHPD / "cases.jsonl").read_text().splitlines():
        case = json.loads(line)
        name = case["config"]
        blocklist = lists.get(name) or BlockList(
            parse_config(json.loads((ETHPD / name).read_text()))
        )
        result = blocklist.check(case["domain"])
        expected = case["expect"]
        ok = (
            (result is not None)
            if expected == "blocked"
            else (
                result is None
                if expected == "allowed"
                else (result is None or result[0] != "fuzzy")
            )
        )
        agree += ok
        count += 1
    print(f"eth-phishing-detect cases: {agree}/{count} agree")


if __name__ == "__main__":
    main()
