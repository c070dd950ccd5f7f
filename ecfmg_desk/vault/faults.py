"""Named crash points for the crash-safety tests.

A test starts a real ``ecfmg-desk add`` process with ``ECFMG_DESK_CRASHPOINT=<name>``; the process kills itself
with SIGKILL at that point, exactly as a power cut or a killed process would, and the test then proves the
vault is intact. Outside that variable this is a dictionary lookup and nothing else.
"""

from __future__ import annotations

import os
import signal

CRASHPOINT_ENV = "ECFMG_DESK_CRASHPOINT"


def crashpoint(name: str) -> None:
    if os.environ.get(CRASHPOINT_ENV) == name:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
