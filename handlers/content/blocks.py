"""Block Kit builders for drafts, review rounds, publications and metrics
(docs/PRODUCT.md §2.2). Pure functions of view data and a gettext function."""

from __future__ import annotations

from typing import Any

from bot.kernel.i18n import Gettext
from bot.workflows.content import views as content_views
from bot.workflows.content.publishing import MetricsForm, PublishForm
from bot.workflows.content.rules import CHECKLIST, CHECKLIST_LABELS, METRIC_MAX, METRICS
from bot.workflows.content.service import DraftForm
from handlers.ids import Action, Block, View
from handlers.kit.blocks import (
    Blocks,
    _input,
    button,
    context,
    header,
    md,
    meta,
    plain,
    remind_later_button,
    section,
)
from handlers.kit.mrkdwn import clip, escape, person, slack_date

METRIC_BLOCKS = {
    "reads": Block.METRIC_READS,
    "likes": Block.METRIC_LIKES,
    "comments": Block.METRIC_COMMENTS,
    "shares": Block.METRIC_SHARES,
}


def link(url: str, label: str | None = None) -> str:
    """A link in mrkdwn: the label escaped, the URL kept from closing the link early."""
    target = escape(url).replace("|", "%7C")
    return f"<{target}|{escape(label)}>" if label else f"<{target}>"


def metric_label(name: str, _: Gettext) -> str:
    return {"reads": _("Reads"), "likes": _("Likes"), "comments": _("Comments"), "shares": _("Shares")}[name]


def metrics_text(m: Any, _: Gettext) -> str:
    return " · ".join(f"{metric_label(k, _)} {getattr(m, k):,}" for k in METRICS)


# -- the review card and its thread ---------------------------------------------


def draft_card(c: content_views.DraftCardView, _: Gettext) -> dict[str, Any]:
    author = person(c.author, c.mention)
    who = person(c.decided_by, c.mention) if c.decided_by else "?"
    when = slack_date(c.decided_at) if c.decided_at else ""
    blocks: Blocks = [
        header(_("Draft #{id} · {team}").format(id=c.draft_id, team=c.team_name)),
        section(f"*{escape(c.title)}*\n" + link(c.link, _("Open the draft (round {round})").format(round=c.round))),
        {"type": "section", "fields": [
            md(_("*Author*\n{name}").format(name=author)),
            md(_("*Round*\n{round}").format(round=c.round)),
            md(_("*Submitted*\n{when}").format(when=slack_date(c.submitted_at))),
            md(_("*Topic*\n#{id}").format(id=c.topic_id)),
        ]},
    ]
    if c.status == "in_review":
        blocks.append(context("⏳ " + _("Round {round} waits for a supervisor's review. "
                                          "Earlier rounds and comments are in the thread.").format(round=c.round)))
        value = f"{c.draft_id}:{c.round}"
        blocks.append({
            "type": "actions",
            "block_id": Block.DECISION_ACTIONS,
            "elements": [
                button(_("Approve"), Action.DRAFT_APPROVE, value, "primary"),
                button(_("Request changes"), Action.DRAFT_REQUEST_CHANGES, value),
            ],
        })
        state = _("in review, round {round}").format(round=c.round)
    elif c.status == "changes_requested":
        line = _("Changes requested by {who} · {when}; waiting for the author's round {next}.").format(
            who=who, when=when, next=c.round + 1)
        if c.comment:
            line += "\n" + _("Comment: {comment}").format(comment=escape(clip(c.comment, 2500)))
        blocks.append(context("✏️ " + line))
        state = _("changes requested")
    else:
        blocks.append(context("✅ " + _("Approved by {who} · {when}, after {rounds} round(s).").format(
            who=who, when=when, rounds=c.round)))
        state = _("approved")
        if c.published_url and c.published_at:
            blocks.append(context("📣 " + _("Published on {platform} · {when}: {link}").format(
                platform=escape(c.published_platform or ""), when=slack_date(c.published_at),
                link=link(c.published_url))))
            state = _("published")
    text = _("Draft #{id}: {title} ({state})").format(id=c.draft_id, title=escape(c.title), state=state)
    return {"text": text, "blocks": blocks}


def draft_thread(p: content_views.DraftThreadPost, _: Gettext) -> dict[str, Any]:
    who = person(p.actor, p.mention)
    if p.event == "submitted":
        text = _("Round {round} submitted by {who} · {when}: {link}").format(
            round=p.round, who=who, when=slack_date(p.at), link=link(p.link))
    elif p.event == "changes_requested":
        text = _("Round {round}: changes requested by {who} · {when}").format(round=p.round, who=who,
                                                                             when=slack_date(p.at))
        if p.comment:
            text += "\n" + "\n".join("> " + escape(line) for line in clip(p.comment, 2500).splitlines())
    else:
        text = _("Round {round} approved by {who} · {when}.").format(round=p.round, who=who, when=slack_date(p.at))
    return {"text": text, "thread_ts": p.thread_ts, "blocks": [section(text)]}


# -- DMs -----------------------------------------------------------------------


def draft_decided(d: content_views.DraftDecidedDM, _: Gettext) -> dict[str, Any]:
    title = escape(d.title)
    if d.status == "approved":
        text = _("Your draft #{id} “{title}” was approved by <@{who}> in round {round}. "
                 "Once it is out, record it with `/publish`.").format(id=d.draft_id, title=title, who=d.decided_by,
                                                                      round=d.round)
        return {"text": text, "blocks": [section(text), context(_("Team: {team}").format(team=escape(d.team_name)))]}
    text = _("<@{who}> asked for changes to your draft #{id} “{title}” (round {round}).").format(
        id=d.draft_id, title=title, who=d.decided_by, round=d.round)
    comment = "\n".join("> " + escape(line) for line in clip(d.comment or "", 2500).splitlines())
    blocks: Blocks = [section(text)]
    if comment:
        blocks.append(section(comment))
    blocks.append(context(_("Revise it, then press Resubmit: that starts round {next}.").format(next=d.round + 1)))
    blocks.append({"type": "actions", "elements": [
        button(_("Resubmit"), Action.DRAFT_RESUBMIT, str(d.draft_id), "primary"),
    ]})
    return {"text": text, "blocks": blocks}


def published(d: content_views.PublishedDM, _: Gettext) -> dict[str, Any]:
    text = _("Publication #{id} “{title}” is recorded: {platform}, {when}.").format(
        id=d.publication_id, title=escape(d.title), platform=escape(d.platform), when=slack_date(d.published_at))
    blocks: Blocks = [
        section(text + "\n" + link(d.url)),
        context(_("Update its figures any time (here, or `/publish metrics {id}`); I will also ask you 1 and 7 days "
                  "after publication.").format(id=d.publication_id)),
        {"type": "actions", "elements": [
            button(_("Update metrics"), Action.UPDATE_METRICS, str(d.publication_id), "primary"),
        ]},
    ]
    return {"text": text, "blocks": blocks}


def metrics_ask(d: content_views.MetricsAskDM, _: Gettext) -> dict[str, Any]:
    text = _("How is “{title}” doing? It went out on {platform} {when}. Please update its figures.").format(
        title=escape(d.title), platform=escape(d.platform), when=slack_date(d.published_at))
    blocks: Blocks = [section(("🔁 " if d.snoozed else "") + text + "\n" + link(d.url))]
    if d.latest:
        blocks.append(context(_("Last figures ({when}): {figures}").format(when=slack_date(d.latest.at),
                                                                            figures=metrics_text(d.latest, _))))
    why = _("Why you got this: it is day {days} since publication. I ask for reads, likes, comments and shares "
            "1 and 7 days after a piece goes out, for the team's reviews.").format(days=d.days)
    blocks.append(context(why))
    blocks.append({"type": "actions", "elements": [
        button(_("Update metrics"), Action.UPDATE_METRICS, str(d.publication_id), "primary"),
        remind_later_button(d.job, d.team_id, d.period, _),
    ]})
    return {"text": text, "blocks": blocks}


# -- modals --------------------------------------------------------------------


def draft_modal(f: DraftForm, _: Gettext) -> dict[str, Any]:
    blocks: Blocks = []
    if f.draft_id is not None:
        _tid, title, team = f.topics[0]
        blocks.append(section(_("Draft #{id} “{title}” ({team}): this is round {round}.").format(
            id=f.draft_id, title=escape(title), team=escape(team), round=f.round)))
    else:
        options = [{"text": plain(clip(f"#{tid} {escape(title)} · {escape(team)}", 75)), "value": str(tid)}
                   for tid, title, team in f.topics[:100]]
        element: dict[str, Any] = {"type": "static_select", "action_id": "topic_select", "options": options}
        if len(options) == 1:
            element["initial_option"] = options[0]
        blocks.append(_input(Block.DRAFT_TOPIC, _("Approved topic"), element))
    link_el: dict[str, Any] = {"type": "plain_text_input", "action_id": "link_input", "max_length": 2000,
                               "placeholder": plain("https://")}
    if f.link:
        link_el["initial_value"] = f.link[:2000]
    blocks.append(_input(Block.DRAFT_LINK, _("Link to the draft"), link_el))
    blocks.append(_input(Block.DRAFT_CHECKLIST, _("Self-review"), {
        "type": "checkboxes", "action_id": "checklist",
        "options": [{"text": plain(_(CHECKLIST_LABELS[k])), "value": k} for k in CHECKLIST],
    }))
    blocks.append(context(_("Tick every item: a draft goes to review only once you have checked all four.")))
    return {
        "type": "modal",
        "callback_id": View.DRAFT_SUBMIT,
        "title": plain(_("Resubmit draft") if f.draft_id is not None else _("Submit a draft")),
        "submit": plain(_("Submit")),
        "close": plain(_("Cancel")),
        "private_metadata": meta({"draft_id": f.draft_id} if f.draft_id is not None else {}),
        "blocks": blocks,
    }


def request_changes_modal(*, draft_id: int, round: int, title: str, _: Gettext) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": View.DRAFT_CHANGES,
        "title": plain(_("Request changes")),
        "submit": plain(_("Send")),
        "close": plain(_("Cancel")),
        "private_metadata": meta({"draft_id": draft_id, "round": round}),
        "blocks": [
            section(_("Round {round} of draft #{id} *{title}*. The author gets your comments by DM and resubmits."
                      ).format(round=round, id=draft_id, title=escape(title))),
            _input(Block.REVIEW_COMMENT, _("Comments"), {
                "type": "plain_text_input", "action_id": "comment_input", "multiline": True, "max_length": 3000,
            }),
        ],
    }


def publish_modal(f: PublishForm, *, now: int, _: Gettext) -> dict[str, Any]:
    options = [{"text": plain(clip(f"#{did} {escape(title)} · {escape(team)}", 75)), "value": str(did)}
               for did, title, team in f.drafts[:100]]
    draft_el: dict[str, Any] = {"type": "static_select", "action_id": "draft_select", "options": options}
    if len(options) == 1:
        draft_el["initial_option"] = options[0]
    if f.platforms:
        platform_el: dict[str, Any] = {"type": "static_select", "action_id": "platform_select",
                                       "options": [{"text": plain(clip(p, 75)), "value": p[:150]}
                                                   for p in f.platforms[:100]]}
    else:
        platform_el = {"type": "plain_text_input", "action_id": "platform_input", "max_length": 80}
    return {
        "type": "modal",
        "callback_id": View.PUBLISH,
        "title": plain(_("Record a publication")),
        "submit": plain(_("Save")),
        "close": plain(_("Cancel")),
        "private_metadata": meta({}),
        "blocks": [
            _input(Block.PUB_DRAFT, _("Approved draft"), draft_el),
            _input(Block.PUB_PLATFORM, _("Platform"), platform_el),
            _input(Block.PUB_URL, _("URL"), {"type": "plain_text_input", "action_id": "url_input", "max_length": 2000,
                                             "placeholder": plain("https://")}),
            _input(Block.PUB_TIME, _("Publish time"), {"type": "datetimepicker", "action_id": "time_pick",
                                                        "initial_date_time": now}),
        ],
    }


def metrics_modal(f: MetricsForm, _: Gettext) -> dict[str, Any]:
    blocks: Blocks = [section(_("Publication #{id} “{title}” on {platform}. Enter the figures as they are now; "
                                "every update is kept with its time.").format(
        id=f.publication_id, title=escape(f.title), platform=escape(f.platform)))]
    for name in METRICS:
        el: dict[str, Any] = {"type": "number_input", "action_id": f"{name}_input", "is_decimal_allowed": False,
                              "min_value": "0", "max_value": str(METRIC_MAX)}
        if f.latest is not None:
            el["initial_value"] = str(getattr(f.latest, name))
        blocks.append(_input(METRIC_BLOCKS[name], metric_label(name, _), el))
    return {
        "type": "modal",
        "callback_id": View.METRICS,
        "title": plain(_("Update metrics")),
        "submit": plain(_("Save")),
        "close": plain(_("Cancel")),
        "private_metadata": meta({"publication_id": f.publication_id}),
        "blocks": blocks,
    }


def metrics_saved(*, publication_id: int, figures: Any, _: Gettext) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain(_("Update metrics")),
        "close": plain(_("Done")),
        "blocks": [section("✅ " + _("Saved for publication #{id}: {figures}").format(
            id=publication_id, figures=metrics_text(figures, _)))],
    }


# -- replies -------------------------------------------------------------------


def draft_help(_: Gettext) -> str:
    return "\n".join([
        _("*/draft* — submit a draft for one of your approved topics."),
        _("`/draft` opens a form: the topic, a link to the draft, and the self-review checklist."),
        _("A supervisor approves it or requests changes on the card in the team channel; you get the comments "
          "by DM with a Resubmit button. Each resubmission is a new round."),
    ])


def publish_help(_: Gettext) -> str:
    return "\n".join([
        _("*/publish* — record where and when an approved draft went out, and its figures."),
        _("`/publish` opens a form: the draft, platform, URL and publish time."),
        _("`/publish metrics <id>` updates a publication's reads, likes, comments and shares."),
    ])


RENDERERS = {
    content_views.DraftCardView: draft_card,
    content_views.DraftThreadPost: draft_thread,
    content_views.DraftDecidedDM: draft_decided,
    content_views.PublishedDM: published,
    content_views.MetricsAskDM: metrics_ask,
}
