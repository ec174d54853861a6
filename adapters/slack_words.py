"""What peerbot says on Slack only (Slack mrkdwn; the adapter escapes &, <, > in everything it inserts).
Platform-neutral sentences are bots/messages.py's."""

from __future__ import annotations

SLACK_ANSWER_INTRO = "Here's what the community says (confidence {confidence:.0%}):"
SLACK_ANSWER_CUT = "(This answer is long; read the rest in the source thread.)"
SLACK_SOURCE = "Source: {link}"
SLACK_SUGGEST_INTRO = "I'm not sure enough to answer outright, but these community threads may help:"
SLACK_SUGGESTION = "{n}. {link} (match {confidence:.0%})"
SLACK_SUGGEST_OUTRO = 'If none of them solves it, press "Ask a human" and I\'ll ask a community expert.'
SLACK_ASKED = "{asker} asked: {question}"
SLACK_NOT_IN_CHANNEL = (
    "I can't post in this conversation. Invite me to the channel (/invite @peerbot) or send me a direct message."
)
SLACK_ESCALATION = "A community question needs a person (escalation #{escalation_id})."
SLACK_ASKED_IN = "{asker} asked in {where}:"
SLACK_IN_DM = "a direct message to me"
SLACK_OPEN_QUESTION = "Open the question"
SLACK_NEAR_MISSES = "Closest community threads (not good enough to answer with):"
SLACK_NEAR_MISS = "• {link} (match {confidence:.0%})"
SLACK_PRIVATE_NEAR_MISSES = "…and {count} from private channels, not shown here."
SLACK_THREAD_HOWTO = "Reply in the asker's thread: I'll record your reply as the answer."
SLACK_DM_HOWTO = "It was asked in a direct message, so reply to them directly."
SLACK_HUMAN_RECORDED = "Thanks, I've recorded your reply as the answer to escalation #{escalation_id}."
SLACK_UNKNOWN_SUBCOMMAND = "I don't know `/peerbot {name}`. Try `/peerbot help`."
SLACK_HELP = """Ask me anything about {community} and I'll answer with the best trusted answer from the community.
• Mention me with your question, send me a direct message, or type `/ask` and your question.
• In the help channels, every new message is a question: I reply in its thread.
• Under an answer, press "This solved it", "Not helpful", or "Ask a human" to reach a community superuser.
Superusers' pings come with a "Claim it" button."""
SLACK_CLAIM_LABEL = "Claim it"
SLACK_URGENT = "URGENT: the asker sounds upset."
SLACK_ANSWERED_WITH = "I answered them with {link} and said a person will follow up in their thread."
SLACK_ANSWERED_PRIVATELY = (
    "I answered them with an entry from a private channel (not named here) and said a person will follow up in "
    "their thread."
)
SLACK_DM_ANSWER_HOWTO = (
    "It was asked in a direct message: answer with /peerbot answer {id} <your answer> and I'll pass it on."
)
SLACK_ONLY_YOU = 'Only you can see this. Press "Show everyone" to post it in the thread.'
SLACK_SHOW_EVERYONE = "Show everyone"
SLACK_SHOW_GONE = "This answer can no longer be shown to everyone (I restarted since). Ask again to get it anew."
