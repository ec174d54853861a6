"""`python -m peerbot`: the same as the `peerbot` command."""

from peerbot.bots.__main__ import main

if __name__ == "__main__":
    main()
