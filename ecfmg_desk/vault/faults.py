"""Named crash points for the crash-safety tests.

A test starts a real ``ecfmg-desk add`` process with ``ECFMG_DESK_CRASHPOINT=<name>``; the process kills itself
with SIGKILL at that point, exactly as a power cut or a killed process would, and the test then proves the
vault is intact. Outside that variable this is a dictionary lookup and nothing else.
"""

from __future__ import annotations

import os
import signal

CRASHPOINT_ENV = "ECFMG_DESK_CRASHPOINT"
PAUSEPOINT_ENV = "ECFMG_DESK_PAUSEPOINT"


def crashpoint(name: str) -> None:
    if os.environ.get(CRASHPOINT_ENV) == name:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def pausepoint(name: str) -> None:
    """Stop the process (SIGSTOP) at ``name`` until a test continues it: two real processes can then be made to
    race in a chosen order without any sleep."""
    if os.environ.get(PAUSEPOINT_ENV) == name and hasattr(signal, "SIGSTOP"):
        os.kill(os.getpid(), signal.SIGSTOP)
