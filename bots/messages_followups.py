"""Every sentence the follow-ups in a thread say (bots/followups.py)."""

from __future__ import annotations

NEXT_ANSWER = "Sorry that didn't help. Here's the next best answer I have."
WITH_DETAIL = "Thanks, that helps. With what you added:"
SORRY = "Sorry that didn't help."
ACKNOWLEDGED = "OK! If it doesn't work, tell me here what happened."
DETAIL_ADDED = "Thanks, I've added that to your question; whoever answers escalation #{id} sees it with the question."
REJECTED_REASON = "none of the answers shown helped"  # the escalation's reason: the asker said so
NOTE_DETAILS = "More from the asker: {details}"
NOTE_SHOWN = "Already shown to the asker, not solved: {shown}"
NOTE_PRIVATE = "{count} answer(s) from private channels"
