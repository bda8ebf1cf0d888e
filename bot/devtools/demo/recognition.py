"""The demo's recognition (docs/RULES.md §四(四), issue 18): once November's
reviews are settled, Alice thanks Bob with ``/kudos`` and Bob, late in his
New York evening, thanks her back; Lena names November's honour of the month,
and 王芳 thanks 李梅 in #brand, in Chinese. On the last day of the year Alice's
annual review shows the kudos she received and her honour as context only, and
Alice sees her own bonus coefficient with her annual grade.

In the story the kudos follow the reviews act, on Wednesday 2 December 2026
(Asia/Shanghai); the annual review closes the story on Thursday 31
December. It needs nothing from the other acts: played alone, Alice has no
monthly result, so her year's roll-up is empty.
"""

from __future__ import annotations

from bot.devtools.demo.stage import ALICE, BOB, BRAND, GROWTH, LEAD, MEI, NEW_YORK, WANG, Stage, button, dec
from bot.devtools.slack_standin import Call

BOBS_KUDOS = "found the client's quote that rescued the customer story, on a Sunday night"
ALICES_KUDOS = "walked me through the style guide before my first campaign post"
HONOUR = "the onboarding video series, scripted a week early, and a fair case made in her objection"
MEIS_KUDOS = "第一篇小红书笔记写得又快又好，评论区反响热烈，大家都学到了很多"


class RecognitionAct(Stage):
    """Kudos, the honour of the month, and the year's coefficient."""

    ACT = "recognition"
    BLURB = "kudos in the channel, the honour of the month, and the year's bonus coefficient"
    SCENES = ("alice_thanks_bob", "bob_thanks_alice", "lena_names_the_honour", "wang_thanks_mei", "year_end_review")

    def _kudos(self, user: str, text: str, shown: str, channel: str) -> list[Call]:
        self.term.narrate(f"{self.term.name(user)} types in {self.term.channel(channel)}:  /kudos {shown}")
        self.reply(self.rig.command(user, "/kudos", text, channel=channel), user)
        return self.show(user)

    def _posted(self, fresh: list[Call], channel: str, words: str) -> bool:
        return any(c.method == "chat.postMessage" and c.params.get("channel") == channel
                   and words in str(c.params) for c in fresh)

    def alice_thanks_bob(self) -> None:
        self.scene(dec(2, 11, 30), "Alice thanks Bob in #growth with /kudos")
        fresh = self._kudos(ALICE, f"<@{BOB}> {BOBS_KUDOS}", f"@Bob {BOBS_KUDOS}", GROWTH)
        self.check(self._posted(fresh, GROWTH, "recognises"), "the kudos in #growth")
        self.check(any("recognised you" in str(c.params) for c in self.dms_to(fresh, BOB)), "Bob told by DM")
        self.term.note("Three kudos a day each, counted in the giver's own day; a kudos changes no score.")

    def bob_thanks_alice(self) -> None:
        self.scene(dec(2, 11, 45), "Bob, late in his evening, thanks Alice back", also=NEW_YORK)
        fresh = self._kudos(BOB, f"<@{ALICE}> {ALICES_KUDOS}", f"@Alice {ALICES_KUDOS}", GROWTH)
        self.check(self._posted(fresh, GROWTH, ALICES_KUDOS), "Bob's kudos in #growth")
        self.check(any("recognised you" in str(c.params) for c in self.dms_to(fresh, ALICE)), "Alice told by DM")

    def lena_names_the_honour(self) -> None:
        self.scene(dec(2, 12), "Lena names November's honour of the month")
        fresh = self._kudos(LEAD, f"honour <@{ALICE}> {HONOUR}", f"honour @Alice {HONOUR}", GROWTH)
        self.check(self._posted(fresh, GROWTH, "2026-11"), "November's honour in #growth")
        self.term.note("Early in December the honour is for the month just ended; once per team and month, "
                       "by a supervisor.")

    def wang_thanks_mei(self) -> None:
        self.scene(dec(2, 12, 30), "Meanwhile in 品牌组: 王芳 thanks 李梅, in Chinese")
        fresh = self._kudos(WANG, f"<@{MEI}> {MEIS_KUDOS}", f"@李梅 {MEIS_KUDOS}", BRAND)
        self.check(self._posted(fresh, BRAND, MEIS_KUDOS), "the kudos in #brand")
        self.check(any("表扬了你" in str(c.params) for c in self.dms_to(fresh, MEI)), "李梅 told in Chinese")

    def year_end_review(self) -> None:
        self.scene(dec(31, 10), "The last day of the year: the annual review, with recognition as context")
        self.run_job("annual-review")
        fresh = self.show()
        ask = next((c for c in self.dms_to(fresh, LEAD) if "<@" + ALICE + ">" in str(c.params.get("text"))
                    and button(c, "review_evaluate")), None)
        if not self.check(ask is not None, "Lena asked to grade Alice's year"):
            return
        assert ask is not None
        view = self.form(self.press(LEAD, ask, "review_evaluate", "Evaluate"), "the annual evaluation")
        if view is None:
            return
        self.check("Kudos received this year: 1;" in str(view), "Bob's kudos counted in Alice's year")
        self.term.narrate(f"Lena picks grade A, writes “A strong November; keep the plan’s pace.” and presses [ {view['submit']['text']} ]")
        self.reply(self.rig.submit(LEAD, view, {"rv_grade": "A", "rv_comment": "A strong November; keep the plan’s pace."}), LEAD)
        fresh = self.show(LEAD)
        self.check(any("Bonus coefficient: *1.20*" in str(c.params) for c in self.dms_to(fresh, ALICE)),
                   "Alice sees her own coefficient")
        self.term.note("Alice sees her own coefficient only; who is a promotion or training candidate, and why, "
                       "is for the supervisors.")
