"""`peerbot` / `python -m peerbot`: the only place that turns errors into exit codes."""

from __future__ import annotations

import importlib
import sys

from peerbot.errors import PeerbotError


def _click_types(name: str) -> tuple[type[BaseException], ...]:
    """click's exception `name` as typer >= 0.26 raises it (its bundled click, Abort in typer.exceptions) and as
    older typer raises it (the standalone click): match all that this installation has."""
    found = []
    for module_name in ("typer._click.exceptions", "typer.exceptions", "click.exceptions"):
        try:
            kind = getattr(importlib.import_module(module_name), name, None)
        except ImportError:
            continue
        if isinstance(kind, type) and issubclass(kind, BaseException):
            found.append(kind)
    return tuple(found)


def _usage_error(exc: BaseException) -> int | None:
    """Show a click usage error the usual way (usage line + one error line); its exit code, or None."""
    if isinstance(exc, _click_types("ClickException")):
        exc.show()  # type: ignore[attr-defined]
        return int(exc.exit_code)  # type: ignore[attr-defined]
    if isinstance(exc, _click_types("Abort")):
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
