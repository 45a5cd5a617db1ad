"""The scam guard: detectors on known vectors, policy per chat kind, hostile input."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from channels.base import Capabilities, ChatKind, Delete, MemberEvent, Reply, Restrict
from handlers.context import Brand, Context
from handlers.guard import GuardStage
from handlers.requests import AlertStaff
from handlers.scam.addresses import addresses_in, eip55_ok, segwit_ok
from handlers.scam.links import BlockList, hosts_in, lookalike, parse_config
from handlers.scam.settings import GuardSettings
from handlers.texts import Texts
from tests.builders import VECTORS, message

DATA = Path(__file__).parent / "data" / "ethpd"
# ../shared/ethpd beside a checkout, ../../shared/ethpd beside a worktree
SHARED_CONFIG = next(
    (
        p / "shared" / "ethpd" / "config.json"
        for p in Path(__file__).resolve().parents[1:4]
        if (p / "shared" / "ethpd" / "config.json").exists()
    ),
    Path(__file__).resolve().parents[2] / "shared" / "ethpd" / "config.json",
)
BRAND = Brand(
    name="Example Exchange",
    official_domains=("example.com",),
    official_handles=("@example_support", "@example"),
    languages=("en", "zh", "vi", "de"),
)
TEXTS = Texts.load()
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
GROUP_CAPS = Capabilities(max_length=4096, delete=True, restrict=True)


def ctx(language: str = "en") -> Context:
    return Context(now=NOW, language=language, texts=TEXTS, brand=BRAND, capabilities=GROUP_CAPS)


# --- eth-phishing-detect: the upstream test cases, as data ---------------------------


def _js(value: Any) -> Any:
    """JavaScript values the cases encode: undefined drops a key, a function is no object."""
    if isinstance(value, dict):
        if value.get("$js") == "undefined":
            return _UNDEFINED
        if value.get("$js") == "function":
            return len  # callable, not an object
        return {k: _js(v) for k, v in value.items() if _js(v) is not _UNDEFINED}
    if isinstance(value, list):
        return [None if _js(v) is _UNDEFINED else _js(v) for v in value]
    return value


_UNDEFINED = object()


def _config_for(name: str) -> BlockList | None:
    if name.startswith("inline_"):
        return BlockList(parse_config(json.loads((DATA / name).read_text())))
    if not SHARED_CONFIG.exists():
        return None
    legacy = json.loads(SHARED_CONFIG.read_text())
    if name == "config.json":
        return BlockList(parse_config(legacy))
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
    return BlockList(parse_config(wrapped))


CASES = [json.loads(line) for line in (DATA / "cases.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def lists() -> dict[str, BlockList | None]:
    return {name: _config_for(name) for name in {c["config"] for c in CASES}}


def test_the_phishing_list_agrees_with_upstream_on_every_case(lists) -> None:
    checked = 0
    for case in CASES:
        blocklist = lists[case["config"]]
        if blocklist is None:
            continue  # config.json lives in ../shared; the inline cases always run
        result = blocklist.check(case["domain"])
        if case["expect"] == "blocked":
            assert result is not None, case
        elif case["expect"] == "allowed":
            assert result is None, case
        else:
            assert result is None or result[0] != "fuzzy", case
        checked += 1
    assert checked >= 26  # at least every inline case
    if not SHARED_CONFIG.exists():
        pytest.skip(f"the cases on the real list need {SHARED_CONFIG}")


@pytest.mark.parametrize(
    "case",
    [json.loads(line) for line in (DATA / "validation_cases.jsonl").read_text().splitlines()],
)
def test_config_validation_matches_upstream(case) -> None:
    data = _js(case["input"])
    if case["expect"] == "ok":
        parse_config(data)
    else:
        with pytest.raises(ValueError, match=case["expected_error"].replace("'", "'")):
            parse_config(data)


# --- look-alike domains ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("https://examp1e.com/login", "homoglyph"),  # digit one for the letter l
        ("go to exarnple.com now", "edit"),
        ("xn--exmple-cua.com", "homoglyph"),  # exámple
        ("https://ехample.com", "homoglyph"),  # Cyrillic е and х
        ("example-support.io", "decorated"),
        ("https://airdrop-example.net/claim", "decorated"),
        ("example.com.secure-login.net/verify", "subdomain"),
    ],
)
def test_look_alikes_of_the_official_domain(text: str, kind: str) -> None:
    (host,) = hosts_in(text.casefold())
    found = lookalike(host, BRAND.official_domains)
    assert found is not None and found[0] == kind


@pytest.mark.parametrize(
    "text",
    [
        "https://example.com/fees",
        "www.example.com",
        "help.example.com/kb",
        "google.com",
        "file.txt",
        "e.g. this",
    ],
)
def test_official_and_unrelated_domains_are_not_look_alikes(text: str) -> None:
    assert all(lookalike(h, BRAND.official_domains) is None for h in hosts_in(text))


# --- addresses -----------------------------------------------------------------------


def test_address_vectors() -> None:
    assert eip55_ok("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
    assert eip55_ok("0x52908400098527886E0F7030069857D2E4169EE7")
    assert not eip55_ok("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")
    assert segwit_ok("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4")
    assert segwit_ok("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0")
    assert not segwit_ok("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd")
    found = {
        a.network
        for a in addresses_in(
            "TT67rPNwgmpeimvHUMVzFfKsjL9GZ1wGw8 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 "
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy So11111111111111111111111111111111111111112"
        )
    }
    assert found == {"tron", "btc", "solana"}


# --- the stage: verdicts and what it does about them ----------------------------------


async def run(text: str, kind: ChatKind = ChatKind.PRIVATE, language: str = "en", **settings):
    stage = GuardStage(
        GuardSettings(**settings),
        embedding_cache=VECTORS,
        official_contracts={"ABC": "0x52908400098527886E0F7030069857D2E4169EE7"},
    )
    context = ctx(language)
    chat = "-100" if kind is not ChatKind.PRIVATE else "u1"
    result = await stage.handle(
        message(text, chat_kind=kind, chat_id=chat, sender_id="u1", platform_message_id="55"),
        context,
    )
    return result, context


async def test_a_scam_link_in_a_group_is_removed_its_sender_timed_out_staff_told() -> None:
    result, context = await run(
        "FREE airdrop! claim at https://examp1e-airdrop.com", ChatKind.GROUP
    )
    assert context.scam.verdict == "scam" and "phishing_link" in context.scam.reasons
    kinds = [type(a) for a in result.actions]
    assert Delete in kinds and Restrict in kinds and AlertStaff in kinds
    restrict = next(a for a in result.actions if isinstance(a, Restrict))
    assert restrict.until is not None and (restrict.until - NOW).total_seconds() == 3600
    assert result.final  # nothing else is said about a removed message


async def test_policy_can_keep_senders_unrestricted() -> None:
    result, _ = await run(
        "claim at https://examp1e-airdrop.com", ChatKind.GROUP, restrict_minutes=0
    )
    assert not any(isinstance(a, Restrict) for a in result.actions)


async def test_in_private_the_user_is_warned_and_still_helped() -> None:
    result, context = await run("support told me to validate my wallet at examp1e-sync.com")
    assert context.scam.verdict == "scam" and "fake_support" in context.scam.reasons
    (reply,) = [a for a in result.actions if isinstance(a, Reply)]
    assert "never message you first" in reply.text
    assert any(isinstance(a, AlertStaff) for a in result.actions)  # staff learn the site
    assert not any(isinstance(a, Delete | Restrict) for a in result.actions)
    assert not result.final


@pytest.mark.parametrize(
    ("text", "language", "reason"),
    [
        ("Pay 0.05 ETH gas fee to unlock your airdrop reward now", "en", "fee_scam"),
        ("send 0.1 ETH and get 0.2 ETH back!!", "en", "fee_scam"),
        ("请先支付手续费解锁你的空投奖励", "zh", "fee_scam"),
        ("Bạn cần trả phí mở khóa để nhận airdrop", "vi", "fee_scam"),
        ("Zahle die Freischaltgebühr, um deine Auszahlung freizugeben", "de", "fee_scam"),
        ("I am the admin, DM me to sync your wallet", "en", "fake_support"),
        ("我是官方客服，加我私聊同步钱包", "zh", "fake_support"),
        ("Tôi là hỗ trợ, nhắn tin riêng để xác thực ví", "vi", "fake_support"),
        ("Ich bin vom Support, schreib mir, um deine Wallet zu validieren", "de", "fake_support"),
        ("c l a i m your a.i.r.d.r.o.p: pay the un\u200block f\u200bee", "en", "fee_scam"),
    ],
)
async def test_fee_and_fake_support_scams_in_the_seed_languages(text, language, reason) -> None:
    _, context = await run(text, language=language)
    assert reason in context.scam.reasons


@pytest.mark.parametrize(
    "text",
    [
        "What is the withdrawal fee for USDT on TRC20?",
        "How do I contact support?",
        "My airdrop reward has not arrived, can you check?",
        "I sent USDT to 0x52908400098527886E0F7030069857D2E4169EE7 on BEP20, txid 0x"
        "5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060",
        "The fees page https://example.com/fees says 0.1%",
        "充值没到账怎么办",
    ],
)
async def test_ordinary_support_questions_are_clean(text: str) -> None:
    _, context = await run(text)
    assert context.scam.verdict == "clean", context.scam.reasons


async def test_a_wrong_network_deposit_is_explained() -> None:
    result, context = await run("I will deposit to TT67rPNwgmpeimvHUMVzFfKsjL9GZ1wGw8 via ERC20")
    assert context.scam.reasons == ["wrong_network"] and context.scam.verdict == "suspicious"
    assert "TRON" in result.actions[0].text and "lost" in result.actions[0].text


async def test_a_fake_token_contract_is_called_out() -> None:
    _, context = await run("ABC airdrop token contract 0x8617E340B3D01FA5F11F306F4090FD50E238070D")
    assert "fake_contract" in context.scam.reasons


async def test_address_poisoning_of_an_official_address() -> None:
    official = "0x52908400098527886E0F7030069857D2E4169EE7"
    poisoned = "0x529aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa9ee7"
    _, context = await run(f"is {poisoned} your deposit address?", official_addresses=[official])
    assert "address_poisoning" in context.scam.reasons


async def test_staff_accounts_are_exempt() -> None:
    stage = GuardStage(embedding_cache=VECTORS)
    result = await stage.handle(
        message("claim at https://examp1e-airdrop.com", username="example_support"), ctx()
    )
    assert result.__class__.__name__ == "Pass"


async def test_impersonators_are_reported_to_staff() -> None:
    stage = GuardStage(GuardSettings(restrict_impersonators=True), embedding_cache=VECTORS)

    def joined(name: str, username: str | None) -> MemberEvent:
        return MemberEvent(
            channel="telegram",
            chat_id="-100",
            user_id="9",
            display_name=name,
            username=username,
            kind="join",
            received_at=NOW,
        )

    for name, username in (
        ("Example Support", "helpdesk_2"),
        ("alice", "examp1e_support"),
        ("Ехаmple Exchange Admin", None),
    ):
        actions = await stage.check_member(joined(name, username), ctx())
        assert any(isinstance(a, AlertStaff) for a in actions), name
        assert any(isinstance(a, Restrict) for a in actions), name
    assert await stage.check_member(joined("Alice", "alice_trader"), ctx()) == []
    # a member who takes an official handle, letter for letter, as display name
    actions = await stage.check_member(joined("example_support", "alice_trader"), ctx())
    assert any(isinstance(a, AlertStaff) for a in actions)


async def test_a_fake_contract_beside_ideographs_is_called_out() -> None:
    text = "ABC代币迁移：新合约 0x8617E340B3D01FA5F11F306F4090FD50E238070D，旧币请尽快换新"
    _, context = await run(text, language="zh")
    assert "fake_contract" in context.scam.reasons


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # an official handle with a capital I for its l: the account is a copy
        ("Annonce officielle @exampIe : migration du contrat, échangez via notre bot", "scam"),
        ("Official news from @ехample: the new app is on our site", "scam"),
        # the brand dressed as staff
        ("I am the official manager (@example_jp_official), contact me", "suspicious"),
        ("Problems withdrawing? Write to our live desk @soporte_exchange_24h", "suspicious"),
    ],
)
async def test_a_handle_imitating_the_official_ones_is_called_fake(text: str, verdict: str) -> None:
    result, context = await run(text)
    assert "fake_handle" in context.scam.reasons
    assert context.scam.verdict == verdict
    (reply,) = [a for a in result.actions if isinstance(a, Reply)]
    assert "is not an account of Example Exchange" in reply.text
    assert "@example_support" in reply.text  # where the real accounts are


@pytest.mark.parametrize(
    "text",
    [
        "@example_support answered me in minutes, thank you",
        "I asked @Example_Support about the fee, they said 1 USDT",
        "my friend @alice_trader told me about the airdrop",
        "write to me at bob@example.com",
    ],
)
async def test_official_and_unrelated_handles_are_left_alone(text: str) -> None:
    _, context = await run(text)
    assert context.scam.verdict == "clean", context.scam.reasons


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("请提供您的谷歌验证码和密码，我们核实后解冻", "zh"),
        ("Please send me your seed phrase so I can verify the account", "en"),
        ("Gửi cụm từ khôi phục cho chúng tôi để mở khóa tài khoản", "vi"),
        ("Schicken Sie uns Ihre Seed-Phrase zur Prüfung", "de"),
    ],
)
async def test_a_request_for_a_secret_is_a_scam_warning(text: str, language: str) -> None:
    result, context = await run(text, language=language)
    assert context.scam.verdict != "clean"
    assert context.scam.reasons, context.scam.reasons
    assert any(isinstance(a, Reply) for a in result.actions)


@pytest.mark.parametrize(
    "text",
    [
        "Never share your seed phrase with anyone, even support",
        "Don't give your password to anyone who DMs you",
        "enter your 2FA code on the login page",
        "不要告诉任何人您的密码",
    ],
)
async def test_advice_not_to_share_a_secret_is_not_a_request(text: str) -> None:
    _, context = await run(text)
    assert "asks_secret" not in context.scam.reasons


@pytest.mark.parametrize(
    "text",
    [
        "a" * 1_000_000,
        " ".join(f"https://site{i}.com" for i in range(5000)),
        "\u200b".join("claimyourairdrop" * 2000),
        "\u202eexample.com\u202c " * 1000,
        "(" * 50_000 + "http://" + ")" * 50_000,
    ],
)
async def test_hostile_input_gets_a_verdict(text: str) -> None:
    _, context = await run(text, ChatKind.GROUP)
    assert context.scam.verdict in ("clean", "suspicious", "scam")


@pytest.mark.parametrize(
    ("item", "official"),
    [
        ("@example_support", True),
        ("@EXAMPLE", True),
        ("@examp1e_support", False),
        ("@example_support_team", False),
        ("https://example.com/login", True),
        ("help.example.com", True),
        ("examp1e.com", False),
        ("example.com.evil.net", False),
    ],
)
async def test_verify_says_whether_a_handle_or_link_is_official(item: str, official: bool) -> None:
    from handlers.commands import CommandStage

    result = await CommandStage().handle(message(f"/verify {item}"), ctx())
    (reply,) = [a for a in result.actions if isinstance(a, Reply)]
    assert reply.text.startswith("✅" if official else "❌")


def test_more_networks_are_recognized_and_checked() -> None:
    found = {
        a.text: (a.network, a.valid)
        for a in addresses_in(
            "LaMT348PWRnrqeeWArpwQPbuanpXDZGEUz DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L "
            "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh EQBvW8Z5huBkMJYdnfAEM5JqTNkuWX3diqYENkWsIL0XggGG "
            "EQBvW8Z5huBkMJYdnfAEM5JqTNkuWX3diqYENkWsIL0XggGH"
        )
    }
    assert found["LaMT348PWRnrqeeWArpwQPbuanpXDZGEUz"] == ("ltc", True)
    assert found["DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L"] == ("doge", True)
    assert found["rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"] == ("xrp", True)
    assert found["EQBvW8Z5huBkMJYdnfAEM5JqTNkuWX3diqYENkWsIL0XggGG"] == ("ton", True)
    assert found["EQBvW8Z5huBkMJYdnfAEM5JqTNkuWX3diqYENkWsIL0XggGH"] == ("ton", False)


async def test_a_dogecoin_address_named_as_litecoin_is_questioned() -> None:
    _, context = await run("send my LTC to DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L please")
    assert "wrong_network" in context.scam.reasons


async def test_words_that_are_also_network_names_do_not_confuse_it() -> None:
    # "ton" is French for "your", "sol" Spanish for "sun": only TON and SOL name networks
    _, context = await run("Voici ton adresse de dépôt 0x52908400098527886E0F7030069857D2E4169EE7")
    assert context.scam.verdict == "clean"
