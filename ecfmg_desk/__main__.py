"""``python -m ecfmg_desk`` and the ``ecfmg-desk`` script."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    import gc

    # Start-up makes ~100,000 objects that live as long as the app; collecting them over and over while the
    # modules load cost ~50 ms of every window's start. ``cli.run`` turns collection back on once it knows the
    # command (the window: once it is shown).
    gc.disable()
    from ecfmg_desk.cli import run

    return run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
