"""Every string a person reads exists in Simplified Chinese, keeps its
placeholders and Slack markup, and the right language is picked per person.

The msgids come straight from the code (Babel's extractor over ``bot/`` and
``handlers/``), not from the catalogs, so a string added without a
translation fails here. To fix: ``uv run python scripts/update_catalogs.py``,
translate the new ``msgstr`` lines in ``bot/locale/zh_CN/LC_MESSAGES/messages.po``
(and review any ``#, fuzzy`` ones), then run this again.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.kernel.i18n import LOCALE_DIR, gettext_for, resolve_locale

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("bot", "handlers")
KEYWORDS = {"_": None, "N_": None}

# The spec's words for buttons and modal labels: not a matter of style.
FIXED_ZH = {
    "Approve": "通过",
    "Reject": "驳回",
    "Request changes": "需要修改",
    "Resubmit": "重新提交",
    "Remind me later": "稍后提醒",
    "Propose a topic": "提交选题",
    "Write self-review": "填写自评",
    "Evaluate": "评价",
    "Acknowledge": "确认",
    "Object": "提出异议",
    "Write retrospective": "填写复盘",
    "Update metrics": "更新数据",
    "Title": "标题",
    "Angle": "角度",
    "Platform": "平台",
    "Planned publish date": "计划发布日期",
    "Reason": "原因",
}

SLACK_TOKEN = re.compile(r"<[@#!][^>]*>")  # <@{who}>, <#{channel}>, <!date^...>
CODE_SPAN = re.compile(r"```.*?```|`[^`]*`", re.S)
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u4e00-\u9fff]")
MODAL_TEXT_LIMIT = 24  # Slack: a modal's title, submit and close texts


@cache
def code_msgids() -> tuple[str, ...]:
    found: dict[str, None] = {}
    for directory in SOURCE_DIRS:
        for _file, _line, message, _comments, _ctx in extract_from_dir(ROOT / directory, keywords=KEYWORDS):
            msgid = message if isinstance(message, str) else message[0]
            if msgid:
                found[msgid] = None
    return tuple(found)


@cache
def catalog(locale: str) -> Catalog:
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing; run scripts/update_catalogs.py"
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def zh_pairs() -> list[tuple[str, str]]:
    cat = catalog("zh_CN")
    out = []
    for msgid in code_msgids():
        entry = cat.get(msgid)
        out.append((msgid, entry.string if entry is not None and not entry.fuzzy else ""))
    return out


def placeholders(text: str) -> Counter[str]:
    """``{name}`` / ``{name:spec}`` fields; raises on a malformed brace."""
    return Counter(
        "{" + name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}"
        for _lit, name, spec, conv in string.Formatter().parse(text)
        if name is not None
    )


def markup(text: str) -> tuple[Counter[str], Counter[str], int]:
    """Slack tokens and code spans (both kept verbatim), and the backtick count."""
    return Counter(SLACK_TOKEN.findall(text)), Counter(CODE_SPAN.findall(text)), text.count("`")


def has_words(msgid: str) -> bool:
    """Latin words outside placeholders, Slack tokens and code spans."""
    bare = CODE_SPAN.sub("", SLACK_TOKEN.sub("", re.sub(r"\{[^{}]*\}", "", msgid)))
    return bool(LATIN_WORD.search(bare))


def test_the_code_has_strings_to_translate():
    assert len(code_msgids()) > 20
    assert "Approve" in code_msgids()  # marked with _()
    assert "I could not find that item." in code_msgids()  # marked with N_()


def test_every_string_in_the_code_has_a_chinese_translation():
    missing = [msgid for msgid, zh in zh_pairs() if not zh.strip()]
    assert not missing, (
        "untranslated or fuzzy in zh_CN (run scripts/update_catalogs.py, then translate):\n"
        + "\n".join(missing)
    )


def test_every_string_in_the_code_is_in_the_english_catalog():
    cat = catalog("en")
    missing = [msgid for msgid in code_msgids() if cat.get(msgid) is None]
    assert not missing, "missing from the en catalog (run scripts/update_catalogs.py):\n" + "\n".join(missing)


def test_chinese_translations_keep_exactly_the_placeholders():
    wrong = [
        f"{msgid!r} -> {zh!r}" for msgid, zh in zh_pairs() if zh and placeholders(zh) != placeholders(msgid)
    ]
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_chinese_translations_keep_mentions_channels_and_code_spans():
    wrong = [f"{msgid!r} -> {zh!r}" for msgid, zh in zh_pairs() if zh and markup(zh) != markup(msgid)]
    assert not wrong, "<@...>/<#...> tokens or `code` spans differ:\n" + "\n".join(wrong)


def test_strings_with_english_words_are_really_translated():
    lazy = [
        f"{msgid!r} -> {zh!r}"
        for msgid, zh in zh_pairs()
        if zh and has_words(msgid) and (zh == msgid or not CJK.search(zh))
    ]
    assert not lazy, "left in English in zh_CN:\n" + "\n".join(lazy)


def test_buttons_and_labels_use_the_required_chinese_words():
    # Only the fixed words the code uses today; a workflow that adds one of
    # the others (Request changes, Resubmit...) is held to it from then on.
    zh = gettext_for("zh-CN")
    used = {en: cn for en, cn in FIXED_ZH.items() if en in code_msgids()}
    assert {"Approve", "Reject", "Remind me later", "Propose a topic", "Title", "Reason"} <= used.keys()
    wrong = {en: (zh(en), cn) for en, cn in used.items() if zh(en) != cn}
    assert not wrong, "required words translated differently (got, required):\n" + repr(wrong)


def test_english_shows_the_source_text():
    en = gettext_for("en")
    changed = [msgid for msgid in code_msgids() if en(msgid) != msgid]
    assert not changed, "the en catalog must not reword the English in the code:\n" + "\n".join(changed)


def test_chinese_is_what_zh_cn_readers_get():
    zh = gettext_for("zh-CN")
    assert zh("Approve") == "通过"
    assert zh("Reason: {reason}").format(reason="重复") != "Reason: 重复"


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_modal_titles_and_buttons_fit_slack_limits(locale):
    from handlers.topics import blocks as topic_blocks

    _ = gettext_for(locale)
    modals = [
        topic_blocks.propose_modal(
            teams=[(1, "Growth", ("WeChat",)), (2, "Brand", ())], default_team_id=1, metadata={}, _=_
        ),
        topic_blocks.reject_modal(topic_id=7, title="A title", metadata={}, _=_),
    ]
    for modal in modals:
        for key in ("title", "submit", "close"):
            text = modal[key]["text"]
            assert 0 < len(text) <= MODAL_TEXT_LIMIT, (locale, modal["callback_id"], key, text)


@pytest.mark.parametrize(
    ("user_locale", "team_locale", "expected"),
    [
        ("zh-CN", "en", "zh-CN"),
        ("en-US", "zh-CN", "en"),
        ("en-GB", "zh-CN", "en"),
        ("fr-FR", "zh-CN", "zh-CN"),
        ("fr-FR", "en", "en"),
        ("ja-JP", "zh-CN", "zh-CN"),
        (None, "zh-CN", "zh-CN"),
    ],
)
def test_a_person_is_answered_in_their_slack_language_when_shipped_else_the_teams(
    user_locale, team_locale, expected
):
    assert resolve_locale(user_locale, team_locale) == expected
