"""Every sentence the rewards say: private messages, announcements, warnings to admins, `/me`."""

from __future__ import annotations

VOUCHER_DM = (
    "🎁 Thank you, {name}! You reached the {tier} reward tier ({points} points).{message}\n"
    "Your voucher code: {code}\nIt works once and it is only for you; keep it private."
)
CLUB_DM = "🎉 Thank you, {name}! You reached the {tier} reward tier ({points} points) and joined the club.{message}"
THANKS_DM = "🙏 Thank you, {name}! You reached the {tier} reward tier ({points} points).{message}"
TIER_ANNOUNCE = "🎉 {name} reached the {tier} reward tier. Thank you for helping the community!"
CLUB_REVOKED_DM = "Your {tier} club membership has ended. Questions? Ask a {community} admin."
POOL_LOW = (
    "Voucher pool {pool!r} is running low ({left} left). Add codes with `peerbot rewards import {pool} codes.csv`."
)
POOL_EMPTY = (
    "Voucher pool {pool!r} is empty. Add codes before the next member needs one: "
    "`peerbot rewards import {pool} codes.csv`."
)
POOL_WAITING = (
    "Voucher pool {pool!r} is empty and {waiting} member(s) are waiting for a voucher. They get it as soon as codes "
    "are added: `peerbot rewards import {pool} codes.csv`."
)
HELPER_OF_THE_MONTH = (
    "🌟 Helper of the month for {month}: {name}, with {accepted} accepted answer(s) and {deflections} question(s) "
    "solved by the bot from their answers. Thank you!"
)
THANK_YOU_IN_THREAD = "🙏 Thanks to {name} for solving this one!"
THANK_YOU_ANONYMOUS = "🙏 Thanks to the community expert who solved this one!"
ME_NO_POINTS = (
    "You have no points yet. Superusers earn points by claiming, answering and solving escalated questions; "
    "ask a {community} admin if you'd like to help."
)
ME_HEADER = "{name}: {points} points ({rank})"
ME_BADGES = "Badges: {badges}"
ME_NO_REWARDS = "Rewards: none yet."
ME_REWARDS = "Rewards:"
ME_NEXT = "Next: {tier} at {threshold} points ({missing} to go)."
ME_ALL_TIERS = "You have reached every reward tier. Thank you!"
ME_ANNOUNCE_ON = "Public announcements about you: on (`/announce off` to opt out)."
ME_ANNOUNCE_OFF = "Public announcements about you: off (`/announce on` to opt back in)."
ANNOUNCE_OFF = "Done: I won't name you in public announcements (ranks, badges, rewards, helper of the month)."
ANNOUNCE_ON = "Done: you'll be named in public announcements again."
ANNOUNCE_USAGE = "Use `/announce off` to stay out of public announcements, `/announce on` to be named again."
NOT_A_MEMBER = "Only superusers earn points and rewards, so there is nothing to change for you."
REVOKE_USAGE = "Use `/revoke MEMBER` (a superuser's community id or name) to end their club membership."
REVOKED = "Revoked {tier} for {name}: they leave the club on every platform."
NOTHING_TO_REVOKE = "{name} has no club membership to revoke."
UNKNOWN_MEMBER = "There is no superuser {who!r} (give their community id or name)."
