"""`peerbot` / `python -m peerbot`: the only place that turns errors into exit codes."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

from peerbot.errors import PeerbotError


def _click_exception_modules() -> list[ModuleType]:
    """typer >= 0.26 raises its own bundled click's exceptions; older typer the standalone click's: match both."""
    found = []
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            found.append(importlib.import_module(name))
        except ImportError:
            continue
    return found


def _usage_error(exc: BaseException) -> int | None:
    """Show a click usage error the usual way (usage line + one error line); its exit code, or None."""
    for module in _click_exception_modules():
        if isinstance(exc, module.ClickException):
            exc.show()
            return int(exc.exit_code)
        if isinstance(exc, module.Abort):
            print("Aborted!", file=sys.stderr)
            return 1
    return None


def main() -> None:
    from peerbot.cli import app

    try:
        code = app(standalone_mode=False)
    except PeerbotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:
        usage = _usage_error(exc)
        if usage is None:
            raise
        sys.exit(usage)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
