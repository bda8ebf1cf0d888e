"""Showing what the Slack stand-in recorded the way a person would see it in
Slack, as plain terminal text: who it went to, the header, the text with
Slack's mrkdwn lightly rendered, fields, context lines and buttons.

Used by ``opsbot demo``. Stdlib only; ANSI styling only on a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.devtools.slack_standin import Call
from bot.devtools.terminal_blocks import BAR, BlockFormatter, known_zone, wrap

# unescape and zone_label were defined here, and are re-exported (``X as X``) so
# they can still be imported from here.
from bot.devtools.terminal_blocks import unescape as unescape
from bot.devtools.terminal_blocks import zone_label as zone_label

WIDTH = 100


class Terminal(BlockFormatter):
    """Renders recorded Slack traffic for a reader.

    ``users``: user id → the stand-in's user entry (``real_name``, ``tz``);
    ``channels``: channel id → name; ``channel_zones``: channel id → IANA zone,
    used to show times in channel posts the way that team reads them.
    """

    def __init__(
        self,
        *,
        users: dict[str, dict[str, Any]],
        channels: dict[str, str],
        channel_zones: dict[str, str] | None = None,
        out: TextIO | None = None,
        color: bool | None = None,
        width: int = WIDTH,
    ) -> None:
        self.users = users
        self.channels = channels
        self.channel_zones = channel_zones or {}
        self.out = out if out is not None else sys.stdout
        if color is None:
            isatty = getattr(self.out, "isatty", None)
            color = bool(isatty and isatty())
        self.color = color
        self.width = width
        self.lines_written = 0

    # -- output ----------------------------------------------------------
    # (``style``, and the formatting of mrkdwn and blocks, come from BlockFormatter.)

    def write(self, lines: str | Iterable[str] = "") -> None:
        if isinstance(lines, str):
            lines = [lines]
        for line in lines:
            self.out.write(line + "\n")
            self.lines_written += 1
        self.out.flush()

    def heading(self, when: str, title: str) -> None:
        self.write(["", self.style(f"── {when} ── {title}", "head")])

    def narrate(self, text: str) -> None:
        """What a person does, or what happens off screen."""
        self.write(self._wrap(text, "▸ ", "  "))

    def note(self, text: str) -> None:
        """An aside for the reader: what to notice."""
        self.write([self.style(line, "dim") for line in self._wrap(text, "  ✓ ", "    ")])

    def warn(self, text: str) -> None:
        self.write([self.style(line, "yellow") for line in self._wrap(text, "  ✗ ", "    ")])

    def _wrap(self, text: str, first: str, rest: str) -> list[str]:
        out: list[str] = []
        for i, para in enumerate(text.split("\n")):
            out.extend(wrap(para, self.width, initial_indent=first if i == 0 else rest,
                             subsequent_indent=rest) or [first if i == 0 else rest])
        return out
    # -- whole things ------------------------------------------------------

    def _message_body(self, params: dict[str, Any], zone: ZoneInfo | None) -> list[str]:
        blocks = params.get("blocks")
        if isinstance(blocks, list) and blocks:
            return self.blocks(blocks, zone=zone)
        return self._lines(self._mrkdwn(str(params.get("text") or ""), zone=zone), BAR)

    def where(self, channel: str, *, updated: bool = False) -> str:
        user = self._user_of(channel)
        if user is not None:
            place = f"DM → {self.name(user)}"
        else:
            place = f"{self.channel(channel)} ({channel})"
        if updated:
            place += "  (card updated in place)"
        return self.style(place, "bold")

    def call(self, call: Call, *, viewer: str | None = None) -> list[str]:
        """One recorded call as the reader sees it ([] for plumbing calls)."""
        p = call.params
        if call.method in ("chat.postMessage", "chat.update"):
            channel = str(call.response.get("channel") or p.get("channel") or "")
            user = self._user_of(channel)
            zone = self.zone_of(user) if user else known_zone(self.channel_zones.get(channel))
            head = self.where(channel, updated=call.method == "chat.update")
            if p.get("thread_ts"):
                head += self.style("  (reply in the card's thread)", "dim")
            lines = [head, *self._message_body(p, zone)]
        elif call.method == "chat.postEphemeral":
            lines = [self.ephemeral_head(p.get("user")), *self._message_body(p, self.zone_of(p.get("user")))]
        elif call.method == "response_url":
            lines = self.reply(p, viewer=viewer)
        elif call.method == "views.open":
            lines = self.modal(call.response.get("view") or p.get("view") or {}, viewer=viewer)
        elif call.method == "views.publish":
            return ["  " + self.style(self.home(p), "dim")]
        else:
            return []
        if not call.ok:
            lines.append(self.style(f"{BAR}(Slack refused: {call.status} {call.response.get('error')})", "yellow"))
        return ["", *(("  " + line) for line in lines)]

    def ephemeral_head(self, viewer: str | None) -> str:
        who = f" ({self.name(viewer)})" if viewer else ""
        return self.style(f"only visible to you{who}", "bold")

    def reply(self, body: dict[str, Any], *, viewer: str | None = None) -> list[str]:
        """An acknowledgement body or a response_url post."""
        if body.get("response_type") == "in_channel":
            head = self.style("in the channel", "bold")
        elif body.get("replace_original"):
            head = self.style("replaces the message", "bold")
        else:
            head = self.ephemeral_head(viewer)
        return [head, *self._message_body(body, self.zone_of(viewer))]

    def modal(self, view: dict[str, Any], *, viewer: str | None = None) -> list[str]:
        title = (view.get("title") or {}).get("text", "")
        who = f" for {self.name(viewer)}" if viewer else ""
        lines = [self.style(f"modal “{title}” opens{who}", "bold")]
        lines += self.blocks(view.get("blocks") or [], zone=self.zone_of(viewer))
        buttons = []
        for key in ("close", "submit"):
            if view.get(key):
                buttons.append(f"[ {view[key]['text']} ]")
        if buttons:
            lines.append(BAR + self.style(" ".join(buttons), "bold"))
        return lines

    def home(self, params: dict[str, Any]) -> str:
        user = str(params.get("user_id") or "")
        view = params.get("view") or {}
        first = next((b for b in view.get("blocks", []) if b.get("type") == "section" and b.get("text")), None)
        gist = ""
        if first is not None:
            gist = ": " + self.mrkdwn(first["text"]["text"]).split("\n")[0]
        return f"(Home tab of {self.name(user)} refreshed{gist})"

    def show(self, lines: Iterable[str]) -> None:
        self.write(lines)
