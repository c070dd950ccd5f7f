"""Entry script of the frozen app: PyInstaller starts here and runs the ``ecfmg-desk`` command's main()."""

from __future__ import annotations

import multiprocessing
import sys

from ecfmg_desk.__main__ import main

if __name__ == "__main__":
    # A frozen build re-runs this script for each multiprocessing child; in the parent this returns at once.
    multiprocessing.freeze_support()
    sys.exit(main())
