"""A strict Block Kit validator for every payload the bot sends to Slack.

Tests call these on whatever the app would post, so a card that Slack would
reject with ``invalid_blocks`` (or silently mangle) fails in CI instead.

Two layers run on every block:

1. An explicit walk over a closed schema: only the block types, element types
   and keys listed below are accepted, and every limit from Slack's Block Kit
   reference that the bot can hit is checked, with a path such as
   ``blocks[2].elements[0].text`` in the message.
2. slack_sdk's own models (``Block.parse`` / ``View(**view)``) as a backstop:
   their ``validate_json()`` / ``to_dict()`` validators must pass, and the
   parsed object must serialise back to the input -- a key or element the
   models drop or rewrite while parsing is an error, not a silent pass.

Broadcast mentions (``<!channel>``, ``<!here>``, ``<!everyone>``,
``<!subteam^...>``) are a separate check, :func:`assert_no_broadcast_mentions`,
run by :func:`validate_message` and :func:`validate_view` unless the caller
passes ``allow_mentions=True``.

To accept a new block or element type, add it to the schema here (and to the
tests in ``tests/test_blockkit_validator.py``); until then it is rejected.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

__all__ = [
    "BlockKitError",
    "MESSAGE_METHODS",
    "SURFACES",
    "VIEW_METHODS",
    "assert_no_broadcast_mentions",
    "validate_blocks",
    "validate_call",
    "validate_message",
    "validate_view",
]


class BlockKitError(AssertionError):
    """A payload Slack would reject. ``errors`` is a list of ``(path, rule)``."""

    def __init__(self, errors: Sequence[tuple[str, str]] | str):
        if isinstance(errors, str):
            errors = [("", errors)]
        self.errors: list[tuple[str, str]] = list(errors)
        super().__init__("\n".join(f"{path}: {rule}" if path else rule for path, rule in self.errors))


# --------------------------------------------------------------------------
# Limits (Slack Block Kit reference)
# --------------------------------------------------------------------------

SURFACES = ("message", "modal", "home")
MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
MAX_MESSAGE_TEXT = 40_000
MAX_BLOCK_ID = 255
MAX_ACTION_ID = 255

MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_SECTION_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_INPUT_LABEL = 2000
MAX_INPUT_HINT = 2000
MAX_IMAGE_ALT_TEXT = 2000
MAX_IMAGE_URL = 3000
MAX_IMAGE_TITLE = 2000

MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_BUTTON_URL = 3000
MAX_ACCESSIBILITY_LABEL = 75
BUTTON_STYLES = ("primary", "danger")

MAX_CONFIRM_TITLE = 100
MAX_CONFIRM_TEXT = 300
MAX_CONFIRM_BUTTON = 30

MAX_PLACEHOLDER = 150
MAX_TEXT_INPUT_LENGTH = 3000
MAX_SELECT_OPTIONS = 100
MAX_OPTION_GROUPS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_OPTION_DESCRIPTION = 75
MAX_OPTION_URL = 3000
MAX_OPTION_GROUP_LABEL = 75
MAX_OVERFLOW_OPTIONS = 5
MAX_CHOICE_OPTIONS = 10  # checkboxes, radio_buttons

MAX_VIEW_TITLE = 24
MAX_VIEW_BUTTON = 24  # submit / close
MAX_CALLBACK_ID = 255
MAX_EXTERNAL_ID = 255
MAX_PRIVATE_METADATA = 3000

TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

# --------------------------------------------------------------------------
# Which element may go where
# --------------------------------------------------------------------------

_SINGLE_SELECTS = frozenset(
    {"static_select", "external_select", "users_select", "conversations_select", "channels_select"}
)
_MULTI_SELECTS = frozenset({f"multi_{t}" for t in _SINGLE_SELECTS})
_SELECTS = _SINGLE_SELECTS | _MULTI_SELECTS

SECTION_ACCESSORY_TYPES = _SELECTS | {
    "button",
    "checkboxes",
    "datepicker",
    "image",
    "overflow",
    "radio_buttons",
    "timepicker",
}
ACTIONS_ELEMENT_TYPES = _SELECTS | {
    "button",
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "overflow",
    "radio_buttons",
    "timepicker",
}
INPUT_ELEMENT_TYPES = _SELECTS | {
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "email_text_input",
    "number_input",
    "plain_text_input",
    "radio_buttons",
    "timepicker",
    "url_text_input",
}
CONTEXT_ELEMENT_TYPES = frozenset({"image", "plain_text", "mrkdwn"})

RICH_TEXT_CONTAINERS = frozenset(
    {"rich_text_section", "rich_text_list", "rich_text_preformatted", "rich_text_quote"}
)
_RICH_TEXT_STYLE_KEYS = frozenset({"bold", "italic", "strike", "code", "underline", "highlight"})
_RICH_TEXT_INLINE: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # type: (required keys, optional keys) besides "type"
    "text": (frozenset({"text"}), frozenset({"style"})),
    "link": (frozenset({"url"}), frozenset({"text", "unsafe", "style"})),
    "emoji": (frozenset({"name"}), frozenset({"unicode", "skin_tone", "style"})),
    "user": (frozenset({"user_id"}), frozenset({"style"})),
    "usergroup": (frozenset({"usergroup_id"}), frozenset({"style"})),
    "channel": (frozenset({"channel_id"}), frozenset({"style"})),
    "team": (frozenset({"team_id"}), frozenset({"style"})),
    "date": (frozenset({"timestamp", "format"}), frozenset({"url", "fallback"})),
    "broadcast": (frozenset({"range"}), frozenset()),
    "color": (frozenset({"value"}), frozenset()),
}

MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage", "response_url"}
)
VIEW_METHODS = {
    "views.open": "modal",
    "views.update": None,  # a modal or (by view_id) the Home tab
    "views.push": "modal",
    "views.publish": "home",
}


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _decode(value: Any, path: str) -> Any:
    """JSON strings (as the Web API accepts) and slack_sdk model objects to plain data."""
    if isinstance(value, (str, bytes)):
        try:
            return json.loads(value)
        except ValueError as e:
            raise BlockKitError([(path, f"is a string but not valid JSON ({e})")]) from None
    if hasattr(value, "to_dict") and callable(value.to_dict):
        try:
            return value.to_dict()
        except SlackObjectFormationError as e:
            raise BlockKitError([(path, f"slack_sdk rejected it: {e}")]) from None
    if isinstance(value, (list, tuple)):
        return [_decode(v, _join(path, i)) if hasattr(v, "to_dict") else v for i, v in enumerate(value)]
    return value


# --------------------------------------------------------------------------
# The checker
# --------------------------------------------------------------------------


class _Checker:
    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []
        self.block_ids: dict[str, str] = {}
        self.action_ids: dict[str, str] = {}

    # ---- plumbing -------------------------------------------------------

    def err(self, path: str, rule: str) -> None:
        self.errors.append((path, rule))

    def raise_if_errors(self) -> None:
        if self.errors:
            raise BlockKitError(self.errors)

    def is_dict(self, value: Any, path: str, what: str) -> bool:
        if not isinstance(value, Mapping):
            self.err(path, f"{what} must be an object, got {type(value).__name__}")
            return False
        return True

    def keys(self, obj: Mapping, path: str, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        required = set(required)
        allowed = required | set(optional) | {"type"}
        for key in obj:
            if key not in allowed:
                self.err(
                    _join(path, str(key)), f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})"
                )
        for key in sorted(required):
            if obj.get(key) is None:
                self.err(_join(path, key), "is required")

    def string(
        self, obj: Mapping, key: str, path: str, max_len: int | None = None, *, min_len: int = 1
    ) -> None:
        if key not in obj:
            return
        value, p = obj[key], _join(path, key)
        if not isinstance(value, str):
            self.err(p, f"must be a string, got {type(value).__name__}")
            return
        if len(value) < min_len:
            self.err(p, "must not be empty" if min_len == 1 else f"must be at least {min_len} characters")
        if max_len is not None and len(value) > max_len:
            self.err(p, f"must be at most {max_len} characters (got {len(value)})")

    def boolean(self, obj: Mapping, key: str, path: str) -> None:
        if key in obj and not isinstance(obj[key], bool):
            self.err(_join(path, key), f"must be a boolean, got {type(obj[key]).__name__}")

    def integer(
        self, obj: Mapping, key: str, path: str, lo: int | None = None, hi: int | None = None
    ) -> None:
        if key not in obj:
            return
        value, p = obj[key], _join(path, key)
        if not _is_int(value):
            self.err(p, f"must be an integer, got {type(value).__name__}")
            return
        if lo is not None and value < lo:
            self.err(p, f"must be at least {lo} (got {value})")
        if hi is not None and value > hi:
            self.err(p, f"must be at most {hi} (got {value})")

    def a_list(self, obj: Mapping, key: str, path: str, lo: int, hi: int | None) -> list | None:
        if key not in obj:
            return None
        value, p = obj[key], _join(path, key)
        if not isinstance(value, list):
            self.err(p, f"must be an array, got {type(value).__name__}")
            return None
        if len(value) < lo:
            self.err(p, f"must have at least {lo} item{'s' if lo != 1 else ''} (got {len(value)})")
        if hi is not None and len(value) > hi:
            self.err(p, f"must have at most {hi} items (got {len(value)})")
        return value

    def text(
        self,
        obj: Mapping,
        key: str,
        path: str,
        max_len: int | None,
        *,
        plain_only: bool,
        required: bool = False,
        where: str = "",
    ) -> None:
        """A text object ``{"type": "plain_text"|"mrkdwn", "text": ...}`` at ``obj[key]``."""
        if key not in obj or obj[key] is None:
            if required:
                self.err(_join(path, key), "is required")
            return
        self.text_object(obj[key], _join(path, key), max_len, plain_only=plain_only, where=where or key)

    def text_object(
        self, value: Any, path: str, max_len: int | None, *, plain_only: bool, where: str
    ) -> None:
        if not self.is_dict(value, path, "a text object"):
            return
        kind = value.get("type")
        if kind not in TEXT_TYPES:
            self.err(path, f"text object type must be 'plain_text' or 'mrkdwn', got {kind!r}")
            return
        if plain_only and kind != "plain_text":
            self.err(path, f"{where} must be a plain_text text object, not {kind}")
        self.keys(value, path, {"text"}, {"emoji"} if kind == "plain_text" else {"verbatim"})
        self.boolean(value, "emoji", path)
        self.boolean(value, "verbatim", path)
        t = value.get("text")
        if t is None:
            return
        if not isinstance(t, str):
            self.err(_join(path, "text"), f"must be a string, got {type(t).__name__}")
        elif not t.strip():
            self.err(path, "text must not be empty or whitespace-only")
        elif max_len is not None and len(t) > max_len:
            self.err(path, f"text must be at most {max_len} characters (got {len(t)})")

    def block_id(self, block: Mapping, path: str) -> None:
        if "block_id" not in block:
            return
        self.string(block, "block_id", path, MAX_BLOCK_ID)
        bid = block["block_id"]
        if isinstance(bid, str):
            if bid in self.block_ids:
                self.err(
                    _join(path, "block_id"),
                    f"duplicate block_id {bid!r} (first used at {self.block_ids[bid]})",
                )
            else:
                self.block_ids[bid] = _join(path, "block_id")

    def action_id(self, el: Mapping, path: str) -> None:
        if "action_id" not in el:
            return
        self.string(el, "action_id", path, MAX_ACTION_ID)
        aid = el["action_id"]
        if isinstance(aid, str):
            if aid in self.action_ids:
                self.err(
                    _join(path, "action_id"),
                    f"duplicate action_id {aid!r} (first used at {self.action_ids[aid]}); "
                    "action_ids must be unique within a message or view",
                )
            else:
                self.action_ids[aid] = _join(path, "action_id")

    # ---- blocks -------------------------------------------------------

    def blocks(self, blocks: Any, surface: str, path: str = "blocks") -> None:
        if surface not in SURFACES:
            raise ValueError(f"surface must be one of {SURFACES}, got {surface!r}")
        if not isinstance(blocks, list):
            self.err(path, f"must be an array of blocks, got {type(blocks).__name__}")
            return
        limit = MAX_BLOCKS[surface]
        if len(blocks) > limit:
            self.err(path, f"a {surface} can have at most {limit} blocks (got {len(blocks)})")
        for i, block in enumerate(blocks):
            bpath = _join(path, i)
            before = len(self.errors)
            self.block(block, bpath, surface)
            if len(self.errors) == before:
                self.sdk_block(block, bpath)

    def block(self, block: Any, path: str, surface: str) -> None:
        if not self.is_dict(block, path, "a block"):
            return
        kind = block.get("type")
        check = _BLOCK_CHECKS.get(kind) if isinstance(kind, str) else None
        if check is None:
            self.err(
                _join(path, "type"),
                f"unknown block type {kind!r} (known: {', '.join(sorted(_BLOCK_CHECKS))})",
            )
            return
        self.block_id(block, path)
        check(self, block, path)

    def section(self, b: Mapping, path: str) -> None:
        self.keys(b, path, (), {"block_id", "text", "fields", "accessory", "expand"})
        if b.get("text") is None and not b.get("fields"):
            self.err(path, "a section block needs text or fields")
        self.text(b, "text", path, MAX_SECTION_TEXT, plain_only=False)
        fields = self.a_list(b, "fields", path, 1, MAX_SECTION_FIELDS)
        for i, f in enumerate(fields or ()):
            self.text_object(
                f, _join(_join(path, "fields"), i), MAX_SECTION_FIELD_TEXT, plain_only=False, where="field"
            )
        if b.get("accessory") is not None:
            self.element(
                b["accessory"], _join(path, "accessory"), SECTION_ACCESSORY_TYPES, "a section accessory"
            )
        self.boolean(b, "expand", path)

    def header(self, b: Mapping, path: str) -> None:
        self.keys(b, path, {"text"}, {"block_id"})
        self.text(b, "text", path, MAX_HEADER_TEXT, plain_only=True, where="a header's text")

    def divider(self, b: Mapping, path: str) -> None:
        self.keys(b, path, (), {"block_id"})

    def image_block(self, b: Mapping, path: str) -> None:
        self.keys(b, path, {"alt_text"}, {"block_id", "image_url", "slack_file", "title"})
        self.image_source(b, path)
        self.string(b, "alt_text", path, MAX_IMAGE_ALT_TEXT)
        self.text(b, "title", path, MAX_IMAGE_TITLE, plain_only=True, where="an image's title")

    def image_source(self, obj: Mapping, path: str) -> None:
        if ("image_url" in obj) == ("slack_file" in obj):
            self.err(path, "an image needs exactly one of image_url or slack_file")
        self.string(obj, "image_url", path, MAX_IMAGE_URL)
        if "slack_file" in obj and self.is_dict(obj["slack_file"], _join(path, "slack_file"), "slack_file"):
            sf = obj["slack_file"]
            sp = _join(path, "slack_file")
            self.keys(sf, sp, (), {"url", "id"})
            if ("url" in sf) == ("id" in sf):
                self.err(sp, "a slack_file needs exactly one of url or id")
            self.string(sf, "url", sp)
            self.string(sf, "id", sp)

    def context(self, b: Mapping, path: str) -> None:
        self.keys(b, path, {"elements"}, {"block_id"})
        elements = self.a_list(b, "elements", path, 1, MAX_CONTEXT_ELEMENTS)
        for i, el in enumerate(elements or ()):
            self.element(el, _join(_join(path, "elements"), i), CONTEXT_ELEMENT_TYPES, "a context block")

    def actions(self, b: Mapping, path: str) -> None:
        self.keys(b, path, {"elements"}, {"block_id"})
        elements = self.a_list(b, "elements", path, 1, MAX_ACTIONS_ELEMENTS)
        for i, el in enumerate(elements or ()):
            self.element(el, _join(_join(path, "elements"), i), ACTIONS_ELEMENT_TYPES, "an actions block")

    def input(self, b: Mapping, path: str) -> None:
        self.keys(b, path, {"label", "element"}, {"block_id", "hint", "optional", "dispatch_action"})
        self.text(b, "label", path, MAX_INPUT_LABEL, plain_only=True, where="an input's label")
        self.text(b, "hint", path, MAX_INPUT_HINT, plain_only=True, where="an input's hint")
        self.boolean(b, "optional", path)
        self.boolean(b, "dispatch_action", path)
        if b.get("element") is not None:
            self.element(b["element"], _join(path, "element"), INPUT_ELEMENT_TYPES, "an input block")

    def rich_text(self, b: Mapping, path: str) -> None:
        self.keys(b, path, {"elements"}, {"block_id"})
        elements = self.a_list(b, "elements", path, 1, None)
        for i, el in enumerate(elements or ()):
            self.rich_text_container(el, _join(_join(path, "elements"), i), RICH_TEXT_CONTAINERS)

    def rich_text_container(self, el: Any, path: str, allowed: frozenset[str]) -> None:
        if not self.is_dict(el, path, "a rich text element"):
            return
        kind = el.get("type")
        if kind not in allowed:
            self.err(
                _join(path, "type"),
                f"rich text element type {kind!r} not allowed here (allowed: {', '.join(sorted(allowed))})",
            )
            return
        if kind == "rich_text_list":
            self.keys(el, path, {"elements", "style"}, {"indent", "offset", "border"})
            if el.get("style") is not None and el["style"] not in ("bullet", "ordered"):
                self.err(_join(path, "style"), f"must be 'bullet' or 'ordered', got {el['style']!r}")
            for key in ("indent", "offset", "border"):
                self.integer(el, key, path, lo=0)
            items = self.a_list(el, "elements", path, 1, None)
            for i, item in enumerate(items or ()):
                self.rich_text_container(
                    item, _join(_join(path, "elements"), i), frozenset({"rich_text_section"})
                )
            return
        self.keys(
            el,
            path,
            {"elements"},
            {"border"} if kind in ("rich_text_preformatted", "rich_text_quote") else (),
        )
        self.integer(el, "border", path, lo=0)
        items = self.a_list(el, "elements", path, 0, None)
        for i, item in enumerate(items or ()):
            self.rich_text_inline(item, _join(_join(path, "elements"), i))

    def rich_text_inline(self, el: Any, path: str) -> None:
        if not self.is_dict(el, path, "a rich text element"):
            return
        kind = el.get("type")
        if kind not in _RICH_TEXT_INLINE:
            self.err(
                _join(path, "type"),
                f"unknown rich text element type {kind!r} (known: {', '.join(sorted(_RICH_TEXT_INLINE))})",
            )
            return
        required, optional = _RICH_TEXT_INLINE[kind]
        self.keys(el, path, required, optional)
        for key in required | optional:
            if key in ("style", "unsafe", "timestamp"):
                continue
            self.string(el, key, path, min_len=1 if key in required else 0)
        self.boolean(el, "unsafe", path)
        self.integer(el, "timestamp", path, lo=0)
        if isinstance(el.get("style"), Mapping):
            sp = _join(path, "style")
            self.keys(el["style"], sp, (), _RICH_TEXT_STYLE_KEYS)
            for key in _RICH_TEXT_STYLE_KEYS:
                self.boolean(el["style"], key, sp)
        elif "style" in el:
            self.err(_join(path, "style"), "must be an object")

    # ---- elements -----------------------------------------------------

    def element(self, el: Any, path: str, allowed: frozenset[str] | set[str], where: str) -> None:
        if not self.is_dict(el, path, "an element"):
            return
        kind = el.get("type")
        if kind in TEXT_TYPES:
            check = None
        else:
            check = _ELEMENT_CHECKS.get(kind) if isinstance(kind, str) else None
            if check is None:
                self.err(
                    _join(path, "type"),
                    f"unknown element type {kind!r} (known: {', '.join(sorted(_ELEMENT_CHECKS))})",
                )
                return
        if kind not in allowed:
            self.err(
                _join(path, "type"),
                f"element type {kind!r} is not allowed in {where} (allowed: {', '.join(sorted(allowed))})",
            )
            return
        if check is None:
            self.text_object(el, path, None, plain_only=False, where="a context element")
            return
        check(self, el, path)

    def _interactive(self, el: Mapping, path: str, required: Iterable[str], optional: Iterable[str]) -> None:
        self.keys(el, path, required, {"action_id", *optional})
        self.action_id(el, path)
        self.text(el, "placeholder", path, MAX_PLACEHOLDER, plain_only=True, where="a placeholder")
        self.boolean(el, "focus_on_load", path)
        if "confirm" in el:
            self.confirm(el["confirm"], _join(path, "confirm"))

    def confirm(self, c: Any, path: str) -> None:
        if not self.is_dict(c, path, "a confirm object"):
            return
        self.keys(c, path, {"title", "text", "confirm", "deny"}, {"style"})
        self.text(c, "title", path, MAX_CONFIRM_TITLE, plain_only=True, where="a confirm dialog's title")
        self.text(c, "text", path, MAX_CONFIRM_TEXT, plain_only=False)
        self.text(
            c, "confirm", path, MAX_CONFIRM_BUTTON, plain_only=True, where="a confirm dialog's confirm button"
        )
        self.text(
            c, "deny", path, MAX_CONFIRM_BUTTON, plain_only=True, where="a confirm dialog's deny button"
        )
        self.style(c, path)

    def style(self, obj: Mapping, path: str) -> None:
        if "style" in obj and obj["style"] not in BUTTON_STYLES:
            self.err(
                _join(path, "style"),
                f"must be 'primary' or 'danger' (or omitted for default), got {obj['style']!r}",
            )

    def button(self, el: Mapping, path: str) -> None:
        self._interactive(el, path, {"text"}, {"url", "value", "style", "confirm", "accessibility_label"})
        self.text(el, "text", path, MAX_BUTTON_TEXT, plain_only=True, where="a button's text")
        self.string(el, "url", path, MAX_BUTTON_URL)
        self.string(el, "value", path, MAX_BUTTON_VALUE)
        self.string(el, "accessibility_label", path, MAX_ACCESSIBILITY_LABEL)
        self.style(el, path)

    def option(self, o: Any, path: str, *, plain_only: bool, url: bool = False) -> None:
        if not self.is_dict(o, path, "an option"):
            return
        self.keys(o, path, {"text", "value"}, {"description", "url"} if url else {"description"})
        where = "an option's text in a select or overflow menu" if plain_only else "an option's text"
        self.text(o, "text", path, MAX_OPTION_TEXT, plain_only=plain_only, where=where)
        self.string(o, "value", path, MAX_OPTION_VALUE)
        self.text(
            o,
            "description",
            path,
            MAX_OPTION_DESCRIPTION,
            plain_only=plain_only,
            where="an option's description",
        )
        self.string(o, "url", path, MAX_OPTION_URL)

    def options(
        self, el: Mapping, path: str, lo: int, hi: int, *, plain_only: bool, url: bool = False
    ) -> list:
        opts = self.a_list(el, "options", path, lo, hi) or []
        for i, o in enumerate(opts):
            self.option(o, _join(_join(path, "options"), i), plain_only=plain_only, url=url)
        values = [o.get("value") for o in opts if isinstance(o, Mapping)]
        for i, v in enumerate(values):
            if v is not None and v in values[:i]:
                self.err(_join(_join(_join(path, "options"), i), "value"), f"duplicate option value {v!r}")
        return opts

    def initial_options(self, el: Mapping, path: str, known: list, key: str, many: bool) -> None:
        if key not in el:
            return
        p = _join(path, key)
        chosen = el[key]
        if many:
            if not isinstance(chosen, list) or not chosen:
                self.err(p, "must be a non-empty array of options")
                return
        else:
            chosen = [chosen]
        for i, c in enumerate(chosen):
            cp = _join(p, i) if many else p
            if not isinstance(c, Mapping):
                self.err(cp, "must be an option object")
            elif c not in known:
                self.err(cp, "must exactly match one of the element's options")

    def static_select(self, el: Mapping, path: str) -> None:
        many = el["type"].startswith("multi_")
        init = "initial_options" if many else "initial_option"
        extra = {"max_selected_items"} if many else set()
        self._interactive(
            el,
            path,
            (),
            {"placeholder", "options", "option_groups", init, "confirm", "focus_on_load", *extra},
        )
        self.integer(el, "max_selected_items", path, lo=1)
        if ("options" in el) == ("option_groups" in el):
            self.err(path, "a static select needs exactly one of options or option_groups")
        known = self.options(el, path, 1, MAX_SELECT_OPTIONS, plain_only=True)
        groups = self.a_list(el, "option_groups", path, 1, MAX_OPTION_GROUPS) or []
        for i, g in enumerate(groups):
            gp = _join(_join(path, "option_groups"), i)
            if not self.is_dict(g, gp, "an option group"):
                continue
            self.keys(g, gp, {"label", "options"})
            self.text(
                g, "label", gp, MAX_OPTION_GROUP_LABEL, plain_only=True, where="an option group's label"
            )
            known = known + self.options(g, gp, 1, MAX_SELECT_OPTIONS, plain_only=True)
        self.initial_options(el, path, known, init, many)

    def other_select(self, el: Mapping, path: str) -> None:
        kind = el["type"]
        many = kind.startswith("multi_")
        base = kind.removeprefix("multi_")
        optional: set[str] = {"placeholder", "confirm", "focus_on_load"}
        if many:
            optional.add("max_selected_items")
        if base == "external_select":
            optional |= {"min_query_length", "initial_options" if many else "initial_option"}
        elif base == "users_select":
            optional.add("initial_users" if many else "initial_user")
        elif base == "conversations_select":
            optional |= {
                "initial_conversations" if many else "initial_conversation",
                "default_to_current_conversation",
                "filter",
            }
            if not many:
                optional.add("response_url_enabled")
        elif base == "channels_select":
            optional.add("initial_channels" if many else "initial_channel")
            if not many:
                optional.add("response_url_enabled")
        self._interactive(el, path, (), optional)
        self.integer(el, "max_selected_items", path, lo=1)
        self.integer(el, "min_query_length", path, lo=0)
        for key in ("default_to_current_conversation", "response_url_enabled"):
            self.boolean(el, key, path)
        for key in ("initial_user", "initial_conversation", "initial_channel"):
            self.string(el, key, path)
        for key in ("initial_users", "initial_conversations", "initial_channels"):
            ids = self.a_list(el, key, path, 1, None) or []
            for i, v in enumerate(ids):
                if not isinstance(v, str) or not v:
                    self.err(_join(_join(path, key), i), "must be a non-empty id string")
        for key in ("initial_option", "initial_options"):
            if key in el:
                chosen = el[key] if key == "initial_options" else [el[key]]
                for i, o in enumerate(chosen if isinstance(chosen, list) else [chosen]):
                    p = _join(_join(path, key), i) if key == "initial_options" else _join(path, key)
                    self.option(o, p, plain_only=True)
        if "filter" in el and self.is_dict(el["filter"], _join(path, "filter"), "a filter"):
            fp = _join(path, "filter")
            f = el["filter"]
            self.keys(f, fp, (), {"include", "exclude_external_shared_channels", "exclude_bot_users"})
            for key in ("exclude_external_shared_channels", "exclude_bot_users"):
                self.boolean(f, key, fp)
            for i, v in enumerate(self.a_list(f, "include", fp, 1, None) or []):
                if v not in ("im", "mpim", "private", "public"):
                    self.err(
                        _join(_join(fp, "include"), i), f"must be one of im, mpim, private, public; got {v!r}"
                    )

    def overflow(self, el: Mapping, path: str) -> None:
        self._interactive(el, path, {"options"}, {"confirm"})
        self.options(el, path, 1, MAX_OVERFLOW_OPTIONS, plain_only=True, url=True)

    def choices(self, el: Mapping, path: str) -> None:
        many = el["type"] == "checkboxes"
        init = "initial_options" if many else "initial_option"
        self._interactive(el, path, {"options"}, {init, "confirm", "focus_on_load"})
        known = self.options(el, path, 1, MAX_CHOICE_OPTIONS, plain_only=False)
        self.initial_options(el, path, known, init, many)

    def datepicker(self, el: Mapping, path: str) -> None:
        self._interactive(el, path, (), {"initial_date", "confirm", "focus_on_load", "placeholder"})
        if "initial_date" in el:
            value, p = el["initial_date"], _join(path, "initial_date")
            if not isinstance(value, str) or not _DATE_RE.match(value):
                self.err(p, f"must be a date formatted YYYY-MM-DD, got {value!r}")
            else:
                try:
                    dt.date.fromisoformat(value)
                except ValueError:
                    self.err(p, f"is not a real calendar date: {value!r}")

    def timepicker(self, el: Mapping, path: str) -> None:
        self._interactive(
            el, path, (), {"initial_time", "confirm", "focus_on_load", "placeholder", "timezone"}
        )
        if "initial_time" in el and not (
            isinstance(el["initial_time"], str) and _TIME_RE.match(el["initial_time"])
        ):
            self.err(
                _join(path, "initial_time"),
                f"must be a 24-hour time formatted HH:mm, got {el['initial_time']!r}",
            )
        self.string(el, "timezone", path)

    def datetimepicker(self, el: Mapping, path: str) -> None:
        self._interactive(el, path, (), {"initial_date_time", "confirm", "focus_on_load"})
        self.integer(el, "initial_date_time", path, lo=0)

    def _dispatch_config(self, el: Mapping, path: str) -> None:
        if "dispatch_action_config" not in el:
            return
        p = _join(path, "dispatch_action_config")
        if not self.is_dict(el["dispatch_action_config"], p, "dispatch_action_config"):
            return
        cfg = el["dispatch_action_config"]
        self.keys(cfg, p, (), {"trigger_actions_on"})
        for i, v in enumerate(self.a_list(cfg, "trigger_actions_on", p, 1, 2) or []):
            if v not in ("on_enter_pressed", "on_character_entered"):
                self.err(
                    _join(_join(p, "trigger_actions_on"), i),
                    f"must be on_enter_pressed or on_character_entered, got {v!r}",
                )

    def plain_text_input(self, el: Mapping, path: str) -> None:
        self._interactive(
            el,
            path,
            (),
            {
                "placeholder",
                "initial_value",
                "multiline",
                "min_length",
                "max_length",
                "dispatch_action_config",
                "focus_on_load",
            },
        )
        self.boolean(el, "multiline", path)
        self.integer(el, "min_length", path, lo=0, hi=MAX_TEXT_INPUT_LENGTH)
        self.integer(el, "max_length", path, lo=1, hi=MAX_TEXT_INPUT_LENGTH)
        lo = el.get("min_length") if _is_int(el.get("min_length")) else 0
        hi = el.get("max_length") if _is_int(el.get("max_length")) else MAX_TEXT_INPUT_LENGTH
        if lo > hi:
            self.err(_join(path, "min_length"), f"must not exceed max_length ({lo} > {hi})")
        self.string(el, "initial_value", path, min(hi, MAX_TEXT_INPUT_LENGTH), min_len=0)
        self._dispatch_config(el, path)

    def simple_text_input(self, el: Mapping, path: str) -> None:  # email_text_input, url_text_input
        self._interactive(
            el, path, (), {"initial_value", "dispatch_action_config", "focus_on_load", "placeholder"}
        )
        self.string(el, "initial_value", path, min_len=0)
        self._dispatch_config(el, path)

    def number_input(self, el: Mapping, path: str) -> None:
        self._interactive(
            el,
            path,
            {"is_decimal_allowed"},
            {
                "initial_value",
                "min_value",
                "max_value",
                "dispatch_action_config",
                "focus_on_load",
                "placeholder",
            },
        )
        self.boolean(el, "is_decimal_allowed", path)
        for key in ("initial_value", "min_value", "max_value"):
            self.string(el, key, path)
            value = el.get(key)
            if isinstance(value, str) and value:
                try:
                    float(value)
                except ValueError:
                    self.err(_join(path, key), f"must be a number in a string, got {value!r}")
        self._dispatch_config(el, path)

    def image_element(self, el: Mapping, path: str) -> None:
        self.keys(el, path, {"alt_text"}, {"image_url", "slack_file"})
        self.image_source(el, path)
        self.string(el, "alt_text", path, MAX_IMAGE_ALT_TEXT)

    # ---- slack_sdk backstop ------------------------------------------

    def sdk_block(self, block: Mapping, path: str) -> None:
        try:
            parsed = Block.parse(copy.deepcopy(dict(block)))
            if parsed is None:
                self.err(_join(path, "type"), f"slack_sdk does not know block type {block.get('type')!r}")
                return
            parsed.validate_json()
            out = parsed.to_dict()  # validates nested objects too
        except SlackObjectFormationError as e:
            self.err(path, f"slack_sdk rejected the block: {e}")
            return
        except (TypeError, KeyError, AttributeError, ValueError) as e:
            self.err(path, f"slack_sdk could not parse the block: {e!r}")
            return
        self.same(block, out, path)

    def sdk_view(self, view: Mapping, path: str) -> None:
        try:
            parsed = View(**copy.deepcopy(dict(view)))
            parsed.validate_json()
            out = parsed.to_dict()
            # Compare everything but the blocks (already compared one by one).
            rest = {k: v for k, v in view.items() if k != "blocks"}
            out.pop("blocks", None)
        except SlackObjectFormationError as e:
            self.err(path, f"slack_sdk rejected the view: {e}")
            return
        except (TypeError, KeyError, AttributeError, ValueError) as e:
            self.err(path, f"slack_sdk could not parse the view: {e!r}")
            return
        self.same(rest, out, path)

    def same(self, src: Any, out: Any, path: str) -> None:
        """``out`` (slack_sdk's round trip) must keep every key and value of ``src``."""
        if isinstance(src, Mapping):
            if not isinstance(out, Mapping):
                self.err(path, f"slack_sdk parsing turned an object into {out!r}")
                return
            for key, value in src.items():
                p = _join(path, str(key))
                if key not in out:
                    self.err(
                        p, "silently dropped by slack_sdk parsing (unknown/unsupported key or empty value)"
                    )
                else:
                    self.same(value, out[key], p)
        elif isinstance(src, list):
            if not isinstance(out, list) or len(out) != len(src):
                self.err(path, "slack_sdk parsing dropped or changed items of this array (unknown element?)")
                return
            for i, (a, b) in enumerate(zip(src, out, strict=True)):
                if b is None and a is not None:
                    self.err(_join(path, i), "silently dropped by slack_sdk parsing (unknown element type?)")
                else:
                    self.same(a, b, _join(path, i))
        elif src != out or type(src) is not type(out):
            self.err(path, f"slack_sdk parsing changed {src!r} to {out!r}")


_BLOCK_CHECKS: dict[str, Callable[[_Checker, Mapping, str], None]] = {
    "section": _Checker.section,
    "header": _Checker.header,
    "divider": _Checker.divider,
    "image": _Checker.image_block,
    "context": _Checker.context,
    "actions": _Checker.actions,
    "input": _Checker.input,
    "rich_text": _Checker.rich_text,
}

_ELEMENT_CHECKS: dict[str, Callable[[_Checker, Mapping, str], None]] = {
    "button": _Checker.button,
    "static_select": _Checker.static_select,
    "multi_static_select": _Checker.static_select,
    **{t: _Checker.other_select for t in _SELECTS - {"static_select", "multi_static_select"}},
    "overflow": _Checker.overflow,
    "checkboxes": _Checker.choices,
    "radio_buttons": _Checker.choices,
    "datepicker": _Checker.datepicker,
    "timepicker": _Checker.timepicker,
    "datetimepicker": _Checker.datetimepicker,
    "plain_text_input": _Checker.plain_text_input,
    "email_text_input": _Checker.simple_text_input,
    "url_text_input": _Checker.simple_text_input,
    "number_input": _Checker.number_input,
    "image": _Checker.image_element,
}


# --------------------------------------------------------------------------
# Broadcast mentions
# --------------------------------------------------------------------------

# Any "<!" special command except the harmless date formatter: <!channel>,
# <!here>, <!everyone>, <!subteam^ID> and their "|label" forms all notify
# people. User-supplied text must have had "<" escaped to "&lt;".
_SPECIAL_MENTION_RE = re.compile(r"<!(?!date\^)")
_AT_MENTION_RE = re.compile(r"(?<![\w@])@(channel|here|everyone)\b")


def assert_no_broadcast_mentions(payload: Any, *, path: str = "") -> None:
    """Fail if any string anywhere in ``payload`` contains an unescaped ``<!...>`` mention.

    Walks every string value (top-level ``text``, block texts, values,
    private_metadata, ...). Also fails on rich_text ``broadcast`` elements, and,
    when the payload asks Slack to link names (``link_names`` or
    ``parse="full"``), on bare ``@channel`` / ``@here`` / ``@everyone``.
    """
    errors: list[tuple[str, str]] = []
    link_names = isinstance(payload, Mapping) and (
        payload.get("link_names") in (True, 1, "1", "true") or payload.get("parse") == "full"
    )

    def walk(value: Any, p: str) -> None:
        if isinstance(value, str):
            m = _SPECIAL_MENTION_RE.search(value)
            if m:
                end = value.find(">", m.start())
                snippet = value[m.start() : end + 1 if end != -1 else m.start() + 20]
                errors.append(
                    (
                        p or "payload",
                        f"contains an unescaped broadcast/special mention {snippet!r}; escape user text (< to &lt;)",
                    )
                )
            if link_names and (m := _AT_MENTION_RE.search(value)):
                errors.append(
                    (p or "payload", f"contains {m.group(0)!r} and the payload sets link_names/parse=full")
                )
        elif isinstance(value, Mapping):
            if value.get("type") == "broadcast":
                errors.append(
                    (
                        p or "payload",
                        f"rich_text broadcast element ({value.get('range')!r}) notifies everyone",
                    )
                )
            for k, v in value.items():
                walk(v, _join(p, str(k)))
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                walk(v, _join(p, i))

    walk(payload, path)
    if errors:
        raise BlockKitError(errors)


# --------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------


def validate_blocks(blocks: list, surface: str) -> None:
    """Validate a list of blocks for ``surface`` ("message", "modal" or "home").

    Checks structure, limits, block_id / action_id uniqueness within the list,
    and slack_sdk round-tripping. Does not check for broadcast mentions.
    """
    checker = _Checker()
    checker.blocks(_decode(blocks, "blocks"), surface)
    checker.raise_if_errors()


def validate_message(payload: Mapping, *, allow_mentions: bool = False) -> None:
    """Validate chat.postMessage / chat.update / chat.postEphemeral params or a response_url body."""
    if not isinstance(payload, Mapping):
        raise BlockKitError([("payload", f"must be an object, got {type(payload).__name__}")])
    payload = dict(payload)
    checker = _Checker()
    deleting = payload.get("delete_original") is True and "blocks" not in payload and "text" not in payload
    text = payload.get("text")
    if text is None:
        if not deleting:
            checker.err(
                "text", "is required: top-level fallback text is used for notifications and screen readers"
            )
    elif not isinstance(text, str):
        checker.err("text", f"must be a string, got {type(text).__name__}")
    elif not text.strip():
        checker.err("text", "must not be empty or whitespace-only (it is the notification / fallback text)")
    elif len(text) > MAX_MESSAGE_TEXT:
        checker.err("text", f"must be at most {MAX_MESSAGE_TEXT} characters (got {len(text)})")

    if payload.get("blocks") is not None:
        payload["blocks"] = _decode(payload["blocks"], "blocks")
        checker.blocks(payload["blocks"], "message")
    if payload.get("attachments") is not None:
        payload["attachments"] = attachments = _decode(payload["attachments"], "attachments")
        if not isinstance(attachments, list):
            checker.err("attachments", "must be an array")
        else:
            for i, att in enumerate(attachments):
                ap = _join("attachments", i)
                if checker.is_dict(att, ap, "an attachment") and att.get("blocks") is not None:
                    checker.blocks(
                        _decode(att["blocks"], _join(ap, "blocks")), "message", _join(ap, "blocks")
                    )
    checker.raise_if_errors()
    if not allow_mentions:
        assert_no_broadcast_mentions(payload)


def validate_view(view: Mapping | str, *, allow_mentions: bool = False) -> None:
    """Validate the ``view`` of views.open / views.update / views.push / views.publish."""
    view = _decode(view, "view")
    checker = _Checker()
    if not checker.is_dict(view, "view", "a view"):
        checker.raise_if_errors()
    view = dict(view)
    kind = view.get("type")
    common = {"blocks", "private_metadata", "callback_id", "external_id"}
    if kind == "modal":
        checker.keys(
            view,
            "",
            {"title", "blocks"},
            common | {"submit", "close", "clear_on_close", "notify_on_close", "submit_disabled"},
        )
        checker.text(view, "title", "", MAX_VIEW_TITLE, plain_only=True, where="a modal's title")
        checker.text(view, "submit", "", MAX_VIEW_BUTTON, plain_only=True, where="a modal's submit button")
        checker.text(view, "close", "", MAX_VIEW_BUTTON, plain_only=True, where="a modal's close button")
        for key in ("clear_on_close", "notify_on_close", "submit_disabled"):
            checker.boolean(view, key, "")
        blocks = view.get("blocks")
        if isinstance(blocks, list) and view.get("submit") is None:
            for i, b in enumerate(blocks):
                if isinstance(b, Mapping) and b.get("type") == "input":
                    checker.err("submit", f"is required: the modal has an input block (blocks[{i}])")
                    break
    elif kind == "home":
        checker.keys(view, "", {"blocks"}, common)
    else:
        checker.err("type", f"must be 'modal' or 'home', got {kind!r}")
    checker.string(view, "callback_id", "", MAX_CALLBACK_ID)
    checker.string(view, "external_id", "", MAX_EXTERNAL_ID)
    checker.string(view, "private_metadata", "", MAX_PRIVATE_METADATA, min_len=0)
    if view.get("blocks") is not None:
        view["blocks"] = _decode(view["blocks"], "blocks")
        if isinstance(view["blocks"], list) and not view["blocks"]:
            checker.err("blocks", "a view needs at least one block")
        checker.blocks(view["blocks"], kind if kind in ("modal", "home") else "modal")
    if not checker.errors:
        checker.sdk_view(view, "view")
    checker.raise_if_errors()
    if not allow_mentions:
        assert_no_broadcast_mentions(view)


def validate_call(call: Any, *, allow_mentions: bool = False) -> None:
    """Validate one recorded Web API call (anything with ``.method`` and ``.params``).

    Message methods and ``"response_url"`` -> :func:`validate_message`;
    views methods -> :func:`validate_view` on ``params["view"]`` (a dict or a
    JSON string), also checking the view type fits the method. Other methods
    are not checked.
    """
    method = call.method
    params = call.params or {}
    try:
        if isinstance(params, (str, bytes)):  # e.g. a response_url body recorded as raw JSON
            params = _decode(params, "params")
        if method in MESSAGE_METHODS:
            validate_message(params, allow_mentions=allow_mentions)
        elif method in VIEW_METHODS:
            if params.get("view") is None:
                raise BlockKitError([("view", f"is required for {method}")])
            view = _decode(params["view"], "view")
            expected = VIEW_METHODS[method]
            if expected and isinstance(view, Mapping) and view.get("type") != expected:
                raise BlockKitError(
                    [("view.type", f"{method} needs a {expected} view, got {view.get('type')!r}")]
                )
            validate_view(view, allow_mentions=allow_mentions)
    except BlockKitError as e:
        raise BlockKitError([(f"{method} {path}".rstrip(), rule) for path, rule in e.errors]) from None
