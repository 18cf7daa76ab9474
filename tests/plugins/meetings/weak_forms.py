"""The meetings forms a member or secretary sends over 3G (tests/browser/test_weak_network.py
collects WEAK_FORMS): each page group appends its own."""
WEAK_FORMS: list = []

from tests.plugins.meetings.overview_weak import PlanMeeting  # noqa: E402  (the overview's plan form)

WEAK_FORMS.append(PlanMeeting)

from tests.plugins.meetings.branch_weak import AnswerInvitation, CommentOnDraft, CreateMeeting  # noqa: E402

WEAK_FORMS += [CreateMeeting, AnswerInvitation, CommentOnDraft]

from tests.plugins.meetings.hall_weak import PhoneVote, SaveAttendance  # noqa: E402  (the hall's forms)

WEAK_FORMS += [SaveAttendance, PhoneVote]
