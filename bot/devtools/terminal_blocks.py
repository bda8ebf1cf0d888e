"""Formatting Slack content as terminal text: mrkdwn lightly rendered (user
and channel mentions, dates in the reader's zone, bold), Block Kit blocks
(headers, sections, fields, context lines, buttons, inputs), wrapped to width.

The formatting half of :class:`bot.devtools.terminal.Terminal`, which mixes in
:class:`BlockFormatter` and prints what it formats. Stdlib only; ANSI styling
only when ``color`` is on.
"""

from __future__ import annotations

import re
import textwrap
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

BAR = "│ "

_STYLES = {
    "bold": "\033[1m",
    "dim": "\033[2m",
    "head": "\033[1;36m",
    "green": "\033[32m",
    "red": "\033[31m",
    "yellow": "\033[33m",
    "reset": "\033[0m",
}
# Markers for bold spans inside a line, replaced once the line is wrapped.
_B_ON, _B_OFF = "\x01", "\x02"
# A space that wrapping must not break at: in a button, a progress, a date.
_KEEP = "\x03"
_UNBREAKABLE = re.compile(
    r"\[ [^\[\]\n]{1,40} \]"  # a button
    r"|\d+ / \d+"  # progress
    r"|\w{3} \d{1,2} \w{3} \d{2}:\d{2}(?: \([\w ]{1,30} time\))?"  # a date as _date_token shows it
)


def wrap(text: str, width: int, **kw: Any) -> list[str]:
    """textwrap.wrap that keeps ``[ Remind me later ]`` on one line."""
    guarded = _UNBREAKABLE.sub(lambda m: m.group(0).replace(" ", _KEEP), text)
    return [line.replace(_KEEP, " ") for line in textwrap.wrap(guarded, width, break_on_hyphens=False, **kw)]


_TOKEN = re.compile(r"<([^<>\n]*)>")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])")
_FIELD = re.compile(r"^\*([^*\n]+)\*\n(.*)$", re.DOTALL)
_ENTITY = re.compile(r"&(lt|gt|amp);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&"}


def unescape(text: str) -> str:
    """Undo Slack's escaping (only ``&lt;`` ``&gt;`` ``&amp;``), in one pass."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def _date_token(epoch: int, fmt: str, fallback: str, zone: ZoneInfo | None) -> str:
    """``<!date^epoch^fmt|fallback>``: Slack shows it in the reader's zone;
    without one, the fallback Slack would show."""
    if zone is None:
        return fallback
    when = datetime.fromtimestamp(epoch, UTC).astimezone(zone)
    day = when.day
    parts = {
        "date_num": when.strftime("%Y-%m-%d"),
        "date": when.strftime(f"%B {day}, %Y"),
        "date_short": when.strftime(f"%b {day}, %Y"),
        "date_long": when.strftime(f"%A, %B {day}, %Y"),
        "date_pretty": when.strftime(f"%a {day} %B"),
        "date_short_pretty": when.strftime(f"%a {day} %b"),
        "date_long_pretty": when.strftime(f"%A, %B {day}, %Y"),
        "time": when.strftime("%H:%M"),
        "time_secs": when.strftime("%H:%M:%S"),
    }
    text = re.sub(r"\{(\w+)\}", lambda m: parts.get(m.group(1), m.group(0)), fmt)
    return f"{text} ({zone_label(zone)} time)"


def zone_label(zone: ZoneInfo | str) -> str:
    """``America/New_York`` → ``New York``."""
    key = zone.key if isinstance(zone, ZoneInfo) else zone
    return key.rsplit("/", 1)[-1].replace("_", " ")


def known_zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


class BlockFormatter:
    """Renders mrkdwn and Block Kit for a reader. Its state is set up by ``Terminal.__init__``:
    ``users`` (user id → the stand-in's user entry), ``channels`` (channel id → name),
    ``color`` and ``width``."""

    users: dict[str, dict[str, Any]]
    channels: dict[str, str]
    color: bool
    width: int

    def style(self, text: str, *names: str) -> str:
        if not self.color or not names:
            return text
        return "".join(_STYLES[n] for n in names) + text + _STYLES["reset"]

    # -- names -----------------------------------------------------------

    def name(self, user_id: str) -> str:
        u = self.users.get(user_id) or {}
        return u.get("real_name") or u.get("name") or user_id

    def channel(self, channel_id: str) -> str:
        return f"#{self.channels.get(channel_id, channel_id)}"

    def _user_of(self, channel: str) -> str | None:
        """A DM target: a user id, or the stand-in's D-channel for one."""
        if channel.startswith(("U", "W")):
            return channel
        if channel.startswith("D") and ("U" + channel[1:]) in self.users:
            return "U" + channel[1:]
        return None

    def zone_of(self, user_id: str | None) -> ZoneInfo | None:
        return known_zone((self.users.get(user_id or "") or {}).get("tz"))

    # -- mrkdwn ----------------------------------------------------------

    def mrkdwn(self, text: str, *, zone: ZoneInfo | None = None) -> str:
        """Slack mrkdwn as a reader sees it, as plain text. Real tokens
        (``<@U…>``, ``<#C…>``, ``<!date…>``, ``<!channel>``, links) are
        rendered; escaped user text (``&lt;`` …) is shown as the characters
        it stands for."""
        return self._mrkdwn(text, zone=zone).replace(_B_ON, "").replace(_B_OFF, "")

    def _mrkdwn(self, text: str, *, zone: ZoneInfo | None = None) -> str:
        """As ``mrkdwn``, with bold spans marked for ``_lines``."""

        def token(m: re.Match[str]) -> str:
            inner = m.group(1)
            target, _, label = inner.partition("|")
            if target.startswith("@"):
                return "@" + (label or self.name(target[1:]))
            if target.startswith("#"):
                return f"#{label}" if label else self.channel(target[1:])
            if target.startswith("!date^"):
                bits = target.split("^")
                try:
                    return _date_token(int(bits[1]), bits[2] if len(bits) > 2 else "{date_num} {time}", label, zone)
                except (ValueError, IndexError):
                    return label or inner
            if target.startswith("!subteam^"):
                return label or "@group"
            if target.startswith("!"):
                # <!channel>, <!here>, <!everyone>: a real ping.
                return "@" + target[1:]
            return f"{label} ({target})" if label else target

        pieces: list[str] = []
        pos = 0
        for m in _TOKEN.finditer(text):
            pieces.append(unescape(text[pos:m.start()]))
            pieces.append(token(m))
            pos = m.end()
        pieces.append(unescape(text[pos:]))
        shown = "".join(pieces).replace("```", "")
        return _BOLD.sub(lambda m: _B_ON + m.group(1) + _B_OFF, shown)

    def _lines(self, text: str, prefix: str, *, styles: tuple[str, ...] = ()) -> list[str]:
        """Wrap rendered text under ``prefix``; apply bold spans and styles."""
        out: list[str] = []
        bold_open = False
        for para in text.split("\n"):
            wrapped = wrap(para, self.width - len(prefix)) or [""]
            for line in wrapped:
                body = (_B_ON if bold_open else "") + line
                bold_open = body.count(_B_ON) > body.count(_B_OFF) if self.color else False
                if self.color:
                    styled = bool(styles) or _B_ON in body
                    body = body.replace(_B_ON, _STYLES["bold"]).replace(
                        _B_OFF, _STYLES["reset"] + "".join(_STYLES[s] for s in styles))
                    if styled:
                        body = "".join(_STYLES[s] for s in styles) + body + _STYLES["reset"]
                else:
                    body = body.replace(_B_ON, "").replace(_B_OFF, "")
                out.append(prefix + body)
            bold_open = False
        return out

    # -- Block Kit ---------------------------------------------------------

    def blocks(self, blocks: list[dict[str, Any]], *, zone: ZoneInfo | None = None) -> list[str]:
        out: list[str] = []
        for b in blocks:
            kind = b.get("type")
            if kind == "header":
                out += self._lines(_B_ON + b["text"]["text"] + _B_OFF, BAR)
            elif kind == "section":
                if b.get("text"):
                    out += self._lines(self._text(b["text"], zone), BAR)
                for f in b.get("fields") or []:
                    out += self._lines(self._field(f, zone), BAR)
                acc = b.get("accessory")
                if acc and acc.get("type") == "button":
                    out += self._lines(self._buttons([acc]), BAR)
            elif kind == "context":
                parts = [self._text(e, zone) for e in b.get("elements", []) if e.get("type") in ("mrkdwn", "plain_text")]
                out += self._lines("  ".join(parts), BAR + "  ", styles=("dim",))
            elif kind == "actions":
                out += [BAR + self._buttons(b.get("elements", []))]
            elif kind == "divider":
                out.append(BAR + "─" * 20)
            elif kind == "input":
                out += self._lines(self._input(b), BAR)
            elif kind == "image":
                out.append(BAR + f"[image: {b.get('alt_text', '')}]")
        return out

    def _text(self, obj: dict[str, Any], zone: ZoneInfo | None) -> str:
        if obj.get("type") == "plain_text":
            return obj.get("text", "")
        return self._mrkdwn(obj.get("text", ""), zone=zone)

    def _field(self, obj: dict[str, Any], zone: ZoneInfo | None) -> str:
        m = _FIELD.match(obj.get("text", "")) if obj.get("type") == "mrkdwn" else None
        if m:
            return f"{self._mrkdwn(m.group(1), zone=zone)}: {self._mrkdwn(m.group(2), zone=zone)}".replace("\n", " ")
        return self._text(obj, zone)

    def _buttons(self, elements: list[dict[str, Any]]) -> str:
        shown = []
        for el in elements:
            if el.get("type") != "button":
                continue
            label = f"[ {el['text']['text']} ]"
            style = {"primary": "green", "danger": "red"}.get(el.get("style", ""))
            shown.append(self.style(label, "bold", style) if style else self.style(label, "bold"))
        return " ".join(shown)

    def _input(self, b: dict[str, Any]) -> str:
        label = b["label"]["text"] + (" (optional)" if b.get("optional") else "")
        el = b.get("element") or {}
        kind = el.get("type")
        if kind == "plain_text_input":
            what = "text, several lines" if el.get("multiline") else "text"
            if el.get("max_length"):
                what += f", up to {el['max_length']} characters"
            if el.get("initial_value"):
                what += f", filled in: {el['initial_value']}"
            control = f"[ {what} ]"
        elif kind == "static_select":
            options = [o["text"]["text"] for o in el.get("options", [])]
            chosen = (el.get("initial_option") or {}).get("text", {}).get("text")
            control = f"[ {chosen or 'choose'} ▾ ]  " + " / ".join(options)
        elif kind == "datepicker":
            control = f"[ {el.get('initial_date') or 'pick a date'} ▾ ]"
        elif kind == "checkboxes":
            control = "  ".join(f"☐ {o['text']['text']}" for o in el.get("options", []))
        elif kind == "datetimepicker":
            control = "[ pick a date and time ▾ ]"
        elif kind == "number_input":
            control = f"[ number{', filled in: ' + el['initial_value'] if el.get('initial_value') else ''} ]"
        elif kind == "multi_users_select":
            picked = ", ".join(self.name(u) for u in el.get("initial_users") or [])
            control = f"[ {picked or 'pick people'} ▾ ]"
        elif kind == "conversations_select":
            current = el.get("initial_conversation")
            here = "this channel" if el.get("default_to_current_conversation") else "pick a channel"
            control = f"[ {self.channel(current) if current else here} ▾ ]"
        else:
            control = f"[ {kind} ]"
        return f"{label}:  {control}"
