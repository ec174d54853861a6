"""`peerbot` / `python -m peerbot`: the only place that turns errors into exit codes."""

from __future__ import annotations

import sys

from peerbot.errors import PeerbotError


def main() -> None:
    from peerbot.bots.cli import app

    try:
        code = app(standalone_mode=False)
    except PeerbotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # click's usage errors are printed by click itself
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(1)
        raise
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
