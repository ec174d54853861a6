"""What peerbot says on Discord only. Platform-neutral sentences are bots/messages.py's."""

from __future__ import annotations

DISCORD_THREAD_NAME = "Your question"
DISCORD_ASK_HELP = "Ask the community: I answer with a trusted peer answer or pass it to a superuser"
DISCORD_ASK_OPTION_HELP = "What do you need help with?"
DISCORD_COMMANDS_HELP = "peerbot commands: /peerbot help lists them"
DISCORD_CLAIM_LABEL = "Claim it"
DISCORD_SOLVED_THIS = "This solved it"  # the message context menu: the asker marks a member's reply as the answer
DISCORD_ONLY_YOU = 'Only you can see this. Press "Show everyone" to post it in the channel.'
DISCORD_SHOW_EVERYONE = "Show everyone"
DISCORD_SHOWN = "Shown to everyone."
DISCORD_SHOW_GONE = "This answer can no longer be shown to everyone (I restarted since). Ask again to get it anew."
