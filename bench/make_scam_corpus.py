"""Builds ``bench/data/scam.jsonl``: the labelled corpus ``bench/scam.py`` evaluates.

Scam messages are written from templates modelled on real ones (fee-and-unlock DMs,
fake support, look-alike links, wrong-network deposits, posted secrets) in the UI
languages, with the disguises scammers use (spaced letters, zero-width characters,
homoglyphs), and the hand-written cases of ``bench/data/scam_written.jsonl`` (the
issue's examples and every kind in several languages). Ordinary messages are the
support questions of ``bench/data/questions.jsonl`` plus templated ones that mention
what scams mention too: fees, airdrops, addresses on their right network, transaction
hashes, official links. Seeded (seed phrases and keys excepted, which come from the
system's randomness): ``python bench/make_scam_corpus.py``.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import base58
from mnemonic import Mnemonic

HERE = Path(__file__).parent / "data"
R = random.Random(20261123)

# support questions that describe a scam happening to the asker: the guard warns them
REPORTS = {
    "someone DMed me saying they are support, is that real?",
    "有人私信我说是客服，是真的吗",
    "có người nhắn tin tự xưng là hỗ trợ, có thật không",
}
LOOKALIKES = [
    "examp1e.com",
    "exarnple.com",
    "example-support.io",
    "airdrop-example.net",
    "example.com.claim-bonus.xyz",
    "xn--exmple-cua.com",
    "ехample.com",
    "example-verify.org",
    "examplle.com",
    "example-rewards.app",
    "exampel.com",
    "example.secure-login.net",
    "wallet-example.com",
    "exαmple.com",
]
PHISH_INTRO = {
    "en": [
        "Claim your airdrop here:",
        "Final chance! Verify your account at",
        "Get your bonus now:",
        "Withdrawals are paused, unlock yours at",
        "Official event page:",
    ],
    "zh": ["领取空投：", "最后机会！请在此验证账户", "立即领取奖励：", "提现已暂停，请在此解锁"],
    "vi": ["Nhận airdrop tại:", "Cơ hội cuối! Xác minh tài khoản tại", "Nhận thưởng ngay:"],
    "de": ["Hol dir deinen Airdrop:", "Letzte Chance! Konto bestätigen unter", "Bonus sichern:"],
    "es": ["Reclama tu airdrop:", "¡Última oportunidad! Verifica tu cuenta en"],
    "ru": ["Заберите эйрдроп:", "Последний шанс! Подтвердите аккаунт на"],
    "tr": ["Airdrop'unu al:", "Son şans! Hesabını doğrula:"],
    "id": ["Klaim airdrop di:", "Kesempatan terakhir! Verifikasi akun di"],
    "pt": ["Resgate seu airdrop:", "Última chance! Verifique sua conta em"],
    "fr": ["Réclamez votre airdrop :", "Dernière chance ! Vérifiez votre compte sur"],
    "ja": ["エアドロップを受け取る：", "最後のチャンス！アカウント認証はこちら"],
    "ko": ["에어드랍 받기:", "마지막 기회! 계정 인증:"],
}
FEE = {
    "en": [
        "Pay a {n} ETH gas fee to unlock your airdrop reward",
        "To release your withdrawal you must first pay the activation fee of {n} USDT",
        "send {n} ETH and get {m} ETH back, limited giveaway!",
        "Your airdrop is ready. Deposit {n} BNB verification fee to claim it",
        "double your BTC: send {n} BTC and receive {m} BTC",
    ],
    "zh": [
        "请先支付{n} USDT手续费解锁你的空投奖励",
        "提现需要先支付{n} ETH激活费用",
        "转账{n} ETH返还{m} ETH，双倍返还",
    ],
    "vi": [
        "Bạn cần trả phí mở khóa {n} USDT để nhận airdrop",
        "Chuyển {n} ETH nhận lại {m} ETH, gấp đôi!",
        "Để rút tiền bạn phải thanh toán phí kích hoạt {n} USDT",
    ],
    "de": [
        "Zahle die Freischaltgebühr von {n} USDT, um deine Auszahlung freizugeben",
        "Sende {n} ETH und erhalte {m} ETH zurück – wir verdoppeln!",
    ],
    "es": [
        "Paga una tarifa de desbloqueo de {n} USDT para recibir tu recompensa del airdrop",
        "Envía {n} ETH y recibe {m} ETH, ¡duplicamos!",
    ],
    "ru": [
        "Оплатите комиссию {n} USDT за разблокировку, чтобы получить вывод средств",
        "Отправьте {n} ETH и получите {m} ETH — удвоение!",
    ],
    "tr": [
        "Airdrop ödülünü almak için {n} USDT kilit açma ücreti öde",
        "{n} ETH gönder, {m} ETH geri al, ikiye katla!",
    ],
    "id": [
        "Bayar biaya buka kunci {n} USDT untuk menerima hadiah airdrop",
        "Kirim {n} ETH dan dapatkan {m} ETH kembali, dobel!",
    ],
    "pt": [
        "Pague uma taxa de desbloqueio de {n} USDT para liberar seu saque",
        "Envie {n} ETH e receba {m} ETH, dobramos!",
    ],
    "fr": [
        "Payez des frais de déblocage de {n} USDT pour recevoir votre récompense airdrop",
        "Envoyez {n} ETH et recevez {m} ETH, nous doublons !",
    ],
    "ja": [
        "エアドロップの報酬を受け取るにはロック解除の手数料{n} USDTを支払ってください",
        "{n} ETHを送金すると{m} ETHが返ってきます、2倍！",
    ],
    "ko": [
        "에어드랍 보상을 수령하려면 잠금 해제 수수료 {n} USDT를 지불하세요",
        "{n} ETH를 보내면 {m} ETH를 돌려드립니다, 두 배!",
    ],
}
SUPPORT = {
    "en": [
        "Hello, I am the admin. DM me to validate your wallet",
        "Support team here, please sync your wallet to fix the withdrawal",
        "Official support: connect your wallet at our portal to rectify the error",
        "Customer service: message me on WhatsApp, we will restore your wallet",
        "Admin here, share your screen so I can help with the airdrop",
    ],
    "zh": [
        "我是官方客服，加我私聊同步钱包",
        "管理员：请连接钱包修复提现问题",
        "官方客服请私信我，帮你验证钱包",
    ],
    "vi": [
        "Tôi là hỗ trợ, nhắn tin riêng để xác thực ví",
        "Quản trị viên: kết nối ví để sửa lỗi rút tiền",
    ],
    "de": [
        "Ich bin vom Support, schreib mir, um deine Wallet zu validieren",
        "Admin hier: Wallet synchronisieren, dann klappt die Auszahlung",
    ],
    "es": [
        "Soy del soporte, escríbeme para validar tu billetera",
        "Administrador: conecta tu billetera para sincronizar la cuenta",
    ],
    "ru": [
        "Я из поддержки, напишите в личку для синхронизации кошелька",
        "Админ: подключите кошелёк, чтобы исправить вывод",
    ],
    "tr": [
        "Destek ekibiyim, özelden yaz, cüzdanını doğrula",
        "Yönetici: cüzdanını bağla, çekim sorunu çözülsün",
    ],
    "id": [
        "Saya dari dukungan, japri untuk validasi dompet",
        "Admin: hubungkan dompet untuk memperbaiki penarikan",
    ],
    "pt": [
        "Sou do suporte, me chame no privado para validar sua carteira",
        "Administrador: conecte sua carteira para sincronizar",
    ],
    "fr": [
        "Je suis du support, écrivez-moi pour valider votre portefeuille",
        "Administrateur : connectez votre portefeuille pour synchroniser",
    ],
    "ja": [
        "サポートです。ウォレットを同期してください",
        "管理者です。画面共有で出金の問題を解決します",
    ],
    "ko": [
        "고객센터입니다. 지갑 동기화를 진행해 주세요",
        "관리자입니다. 화면 공유로 출금 문제를 해결해 드립니다",
    ],
}
TRON = [
    "TT67rPNwgmpeimvHUMVzFfKsjL9GZ1wGw8",
    "TJAAinkKN2h9KxtBZXw6SyL7HwCQXnzFsE",
    "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
]
EVM = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
]
BTC = [
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
    "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
]
WRONG = {
    "en": [
        "I am sending USDT to {tron} via ERC20, is that ok?",
        "deposit address {evm} on TRC20 right?",
        "I will send to {btc} using BEP20",
    ],
    "zh": ["我用ERC20往{tron}转USDT可以吗", "TRC20充值到{evm}对吗"],
    "vi": [
        "Tôi gửi USDT tới {tron} qua mạng ERC20 được không?",
        "Nạp vào {evm} bằng TRC20 đúng không?",
    ],
    "de": [
        "Ich sende USDT an {tron} über ERC20, passt das?",
        "Einzahlung an {evm} per TRC20, richtig?",
    ],
    "es": ["Envío USDT a {tron} por ERC20, ¿está bien?"],
    "ru": ["Отправляю USDT на {tron} через ERC20, так можно?"],
}
ORDINARY = {
    "en": [
        "My deposit of {n} USDT to {evm} on BEP20 has not arrived, txid {tx}",
        "What is the withdrawal fee for USDT on TRC20?",
        "Is {official} the real site? I want to check the fees",
        "I sent BTC to {btc}, txid {txb}, how many confirmations do I need?",
        "When does the ABC airdrop distribution start?",
        "How much is the gas fee on ERC20 right now?",
        "Where can I see the airdrop rules? Is it on {official}?",
        "I withdrew {n} USDT to my TRC20 address {tron}, still pending",
        "Can I pay the trading fee with BNB?",
        "Support please check my deposit, txid {tx}",
        "the event page {official} says I am eligible, when do I get the reward?",
    ],
    "zh": [
        "我的USDT充值到{evm}（BEP20）还没到账，txid {tx}",
        "TRC20提现手续费是多少？",
        "官网{official}上写的空投规则在哪里？",
        "ABC空投什么时候发放？",
        "我用TRC20提现到{tron}一直在处理中",
    ],
    "vi": [
        "Tôi nạp {n} USDT vào {evm} qua BEP20 nhưng chưa nhận được, txid {tx}",
        "Phí rút USDT qua TRC20 là bao nhiêu?",
        "Trang {official} có phải trang chính thức không?",
        "Khi nào airdrop ABC được phát?",
    ],
    "de": [
        "Meine Einzahlung von {n} USDT an {evm} über BEP20 ist nicht angekommen, txid {tx}",
        "Wie hoch ist die Auszahlungsgebühr für USDT über TRC20?",
        "Ist {official} die echte Seite?",
        "Wann wird der ABC-Airdrop verteilt?",
    ],
}


def seed_phrase() -> str:
    words = Mnemonic("english").generate(strength=128)
    return words


def wif() -> str:
    return base58.b58encode_check(b"\x80" + bytes(R.randrange(256) for _ in range(32))).decode()


def disguise(text: str) -> str:
    """Spaced letters, a zero-width joiner or a homoglyph, as scammers do."""
    choice = R.randrange(4)
    if choice == 0:
        return text.replace("airdrop", "a i r d r o p").replace("unlock", "un\u200block")
    if choice == 1:
        return text.replace("a", "а", 2)  # Cyrillic а
    if choice == 2:
        return "🔥 " + text + " 🚀"
    return text


def fill(template: str) -> str:
    n = R.choice(["0.05", "0.1", "0.25", "50", "100", "300"])
    m = str(float(n) * 2)
    return template.format(
        n=n,
        m=m,
        tron=R.choice(TRON),
        evm=R.choice(EVM),
        btc=R.choice(BTC),
        tx="0x" + "".join(R.choice("0123456789abcdef") for _ in range(64)),
        txb="".join(R.choice("0123456789abcdef") for _ in range(64)),
        official=R.choice(
            [
                "https://example.com/fees",
                "example.com",
                "https://example.com/events/futures-sprint",
                "help.example.com",
            ]
        ),
    )


def main() -> None:
    rows: list[dict[str, str]] = []
    for _ in range(150):
        lang = R.choice(list(PHISH_INTRO))
        rows.append(
            {
                "text": f"{R.choice(PHISH_INTRO[lang])} https://{R.choice(LOOKALIKES)}/claim",
                "label": "scam",
                "category": "phishing_link",
                "lang": lang,
            }
        )
    for lang, templates in FEE.items():
        for _ in range(12):
            rows.append(
                {
                    "text": disguise(fill(R.choice(templates))),
                    "label": "scam",
                    "category": "fee_scam",
                    "lang": lang,
                }
            )
    for lang, templates in SUPPORT.items():
        for _ in range(10):
            rows.append(
                {
                    "text": disguise(fill(R.choice(templates))),
                    "label": "scam",
                    "category": "fake_support",
                    "lang": lang,
                }
            )
    for lang, templates in WRONG.items():
        for _ in range(8):
            rows.append(
                {
                    "text": fill(R.choice(templates)),
                    "label": "scam",
                    "category": "wrong_network",
                    "lang": lang,
                }
            )
    for _ in range(30):
        secret = seed_phrase() if R.random() < 0.7 else wif()
        rows.append(
            {
                "text": R.choice(["my wallet words are", "is this safe?", "助记词：", "backup:"])
                + " "
                + secret,
                "label": "scam",
                "category": "secret",
                "lang": "en",
            }
        )
    questions = [json.loads(line) for line in (HERE / "questions.jsonl").read_text().splitlines()]
    for q in questions:
        report = q["text"] in REPORTS  # a user describing a scam under way: warned
        rows.append(
            {
                "text": q["text"],
                "label": "scam" if report else "ordinary",
                "category": "report" if report else "question",
                "lang": q.get("language", "en"),
            }
        )
    while sum(r["label"] == "ordinary" for r in rows) < 1100:
        lang = R.choice(list(ORDINARY))
        rows.append(
            {
                "text": fill(R.choice(ORDINARY[lang])),
                "label": "ordinary",
                "category": "mentions",
                "lang": lang,
            }
        )
    # hand-written development cases (the issue's, and each kind in several languages)
    rows += [json.loads(line) for line in (HERE / "scam_written.jsonl").read_text().splitlines()]
    with (HERE / "scam.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(
        f"{len(rows)} rows: {sum(r['label'] == 'scam' for r in rows)} scam, "
        f"{sum(r['label'] == 'ordinary' for r in rows)} ordinary"
    )


if __name__ == "__main__":
    main()
