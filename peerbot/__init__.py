"""peerbot: answers community questions with trusted peer-written answers, escalates the rest to superusers.

The installed distribution lives under this one namespace. Its four parts are the project's top-level folders,
linked here so the tree keeps the design's shape: `peerbot.adapters` (chat platforms) -> `peerbot.bots` (the bot)
-> `peerbot.knowledge` (the knowledge base at query time) <- `peerbot.indexer` (community sources -> index).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("peerbot")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
