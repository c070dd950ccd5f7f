#!/bin/sh
# Runs pytest; inside a throw-away D-Bus session with an unlocked gnome-keyring when both are installed.
# pytest's exit 5 ("no tests collected") is turned into a failure: a suite that ran nothing proves nothing.
set -u
BIN=${BIN:-.venv/bin}
run() {
    "$BIN/python" -m pytest -p no:cacheprovider "$@"
    rc=$?
    if [ "$rc" -eq 5 ]; then
        echo "error: pytest collected no tests" >&2
        exit 1
    fi
    exit "$rc"
}
if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
    export ECFMG_DESK_SECRET_SERVICE=1
    exec dbus-run-session -- sh -c '
        printf "ci-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
        BIN="$0"
        "$BIN/python" -m pytest -p no:cacheprovider "$@"
        rc=$?
        if [ "$rc" -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi
        exit "$rc"' "$BIN" "$@"
fi
run "$@"
