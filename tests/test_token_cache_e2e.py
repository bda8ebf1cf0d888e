"""The outbox keeps each workspace's opened bot token for a short while (handlers/oauth.py,
``WorkspaceTokens``) instead of reading and decrypting it per notice, without ever costing a
notice: a token another replica replaced is refused once and the notice goes out with the new
one; a token revoked for good still fails its notice once, not for ever. End to end on both
backends, with two workspaces installed through "Add to Slack"."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from handlers.oauth import AUTHORIZE_CACHE_SIZE, Bounded
from storage.db import transaction
from storage.models import OutboxNotice
from storage.topics import Topic
from tests.test_workspaces_e2e import ACME, AMY, BEN, CHANNEL_A, OTHER, THU_10, both, reminders, store, two

__all__ = ["two"]  # the fixture, shared with tests/test_workspaces_e2e.py


def amys_reminders(rig) -> list[OutboxNotice]:
    with transaction(rig.app.db) as s:
        return list(s.scalars(select(OutboxNotice).where(OutboxNotice.recipient == AMY,
                                                         OutboxNotice.payload["type"].as_string() == "quota_reminder")))


def refused(rig) -> list:
    """Every call Slack refused for its token (the first a notice makes may be a profile lookup)."""
    return [c for c in rig.slack.calls(ok_only=False) if not c.ok and c.response.get("error") == "invalid_auth"]


def test_a_burst_of_notices_to_one_workspace_reads_its_installation_once(two):
    both(two)
    tokens = two.app.worker.slack.tokens
    tokens.forget(ACME, None)
    reads: list[str] = []
    find = tokens._find
    tokens._find = lambda workspace, enterprise_id: (reads.append(workspace), find(workspace, enterprise_id))[1]
    before = len(two.slack.calls())
    for title in ("Spring launch", "Summer sale", "Autumn fair"):
        two.command(AMY, "/topic", title, channel=CHANNEL_A, team=ACME)
    two.deliver()
    sent = [c for c in two.slack.calls()[before:] if c.method in ("chat.postMessage", "views.publish")]
    assert len([c for c in sent if c.params.get("channel") == CHANNEL_A]) == 3, "three cards went out"
    assert len(sent) > 3, "and Home tabs"
    assert reads.count(ACME) == 1, "one read of Acme's installation for the whole burst"


def test_a_token_another_replica_replaced_is_refused_once_then_the_reminder_goes_with_the_new_one(two):
    tokens = both(two)
    two.clock.set(THU_10)
    two.app.jobs.run("quota-reminder", now=THU_10)  # the reminders are written, not yet sent
    old = two.app.worker.slack.tokens.token(ACME, None)  # cached here
    assert old == tokens[ACME]
    # Another replica reinstalls Acme: a new token in the store, and Slack no longer takes the old one.
    installation = store(two).find_installation(enterprise_id=None, team_id=ACME)
    new = f"xoxb-{ACME}-replaced"
    installation.bot_token, installation.installed_at = new, installation.installed_at + 60
    store(two).save(installation)
    two.slack.register_token(ACME, new)
    two.slack.revoke_token(old)

    two.deliver()  # refused: Acme's turn ends for this poll, the notice due again at once
    two.deliver()  # the next poll
    assert [c.token for c in reminders(two, AMY)] == [new], "Amy got her reminder once, with the new token"
    assert [(c.token, c.response.get("error")) for c in refused(two)] == [(old, "invalid_auth")]
    assert [c.token for c in reminders(two, BEN)] == [tokens[OTHER]]
    assert [n.status for n in amys_reminders(two)] == ["delivered"]


def test_a_token_revoked_for_good_fails_its_notice_once_and_is_not_tried_again(two):
    tokens = both(two)
    two.app.worker.slack.tokens.token(ACME, None)
    two.slack.revoke_token(tokens[ACME])  # and nothing replaces it

    two.clock.set(THU_10)
    two.app.jobs.run("quota-reminder", now=THU_10)
    two.deliver()
    assert reminders(two, AMY) == []
    tried = refused(two)
    assert tried and {c.token for c in tried} == {tokens[ACME]}
    [notice] = amys_reminders(two)
    assert notice.status == "failed" and "invalid_auth" in (notice.last_error or "")
    two.clock.advance(timedelta(hours=1))
    two.deliver()
    assert len(refused(two)) == len(tried), "not tried again"
    assert [c.token for c in reminders(two, BEN)] == [tokens[OTHER]], "the other workspace is not affected"


def test_bolts_authorization_cache_keeps_a_bounded_number_of_tokens_and_requests_still_work(two):
    cache = two.app.bolt._authorize.authorize_result_cache
    assert isinstance(cache, Bounded) and cache.size == AUTHORIZE_CACHE_SIZE
    cache.size = 1  # as if the process had served a bound's worth of tokens already
    both(two)
    asks = ((AMY, CHANNEL_A, ACME, "Spring launch"), (BEN, "C0BGROWTH", OTHER, "Autumn sale"),
            (AMY, CHANNEL_A, ACME, "Summer fair"))  # the first workspace's token again, after the other's
    for member, channel, team, title in asks:
        assert two.command(member, "/topic", title, channel=channel, team=team).status == 200
    two.deliver()
    assert len(cache) == 1, "the oldest token's authorization was dropped"
    with transaction(two.app.db) as s:
        assert sorted(s.scalars(select(Topic.title))) == ["Autumn sale", "Spring launch", "Summer fair"]
