#!/bin/sh
# Install (or remove) the Linux one-folder build like any desktop program: menu entry, icon, .ecfmgpkt type.
#
#   packaging/linux/install.sh [--uninstall] [PREFIX]     PREFIX: /usr/local (default, run as root)
#                                                          or ~/.local (for yourself only, no root)
# Environment: DESTDIR stages into a root (distribution packages); DIST is the built folder
# (default: ./ecfmg-desk next to this script, as in the release tarball, else dist/ecfmg-desk of the checkout).
#
# Lays out  PREFIX/lib/ecfmg-desk/          the PyInstaller folder
#           PREFIX/bin/ecfmg-desk           symlink to it
#           PREFIX/share/applications/      org.ecfmgdesk.EcfmgDesk.desktop (Exec with the absolute path)
#           PREFIX/share/metainfo/          org.ecfmgdesk.EcfmgDesk.metainfo.xml
#           PREFIX/share/mime/packages/     org.ecfmgdesk.EcfmgDesk.xml (application/x-ecfmg-packet, *.ecfmgpkt)
#           PREFIX/share/icons/hicolor/     NxN/apps/ and scalable/apps/org.ecfmgdesk.EcfmgDesk.{png,svg}
# Vaults and settings (~/.local/share/ecfmg-desk, ~/.config/ecfmg-desk) are never touched.
set -eu

APP_ID=org.ecfmgdesk.EcfmgDesk
SIZES="16 24 32 48 64 128 256 512"

uninstall=0
if [ "${1:-}" = "--uninstall" ]; then uninstall=1; shift; fi
PREFIX=${1:-/usr/local}
case $PREFIX in /*) ;; *) echo "error: PREFIX must be an absolute path: $PREFIX" >&2; exit 2 ;; esac
DESTDIR=${DESTDIR:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$DESTDIR$PREFIX
share=$root/share

refresh() {
    # Only for a live install; a staged one (DESTDIR) is refreshed by the package manager's triggers.
    [ -z "$DESTDIR" ] || return 0
    if command -v update-mime-database >/dev/null; then update-mime-database "$PREFIX/share/mime"; fi
    if command -v update-desktop-database >/dev/null; then
        update-desktop-database -q "$PREFIX/share/applications" || true
    fi
    if command -v gtk-update-icon-cache >/dev/null; then
        gtk-update-icon-cache -q -t -f "$PREFIX/share/icons/hicolor" || true
    fi
}

if [ $uninstall = 1 ]; then
    rm -rf "$root/lib/ecfmg-desk"
    rm -f "$root/bin/ecfmg-desk" "$share/applications/$APP_ID.desktop" "$share/metainfo/$APP_ID.metainfo.xml" \
        "$share/mime/packages/$APP_ID.xml" "$share/icons/hicolor/scalable/apps/$APP_ID.svg"
    for n in $SIZES; do rm -f "$share/icons/hicolor/${n}x${n}/apps/$APP_ID.png"; done
    refresh
    echo "ECFMG Desk removed from $PREFIX (your vaults are untouched)."
    exit 0
fi

if [ -n "${DIST:-}" ]; then dist=$DIST
elif [ -x "$here/ecfmg-desk/ecfmg-desk" ]; then dist=$here/ecfmg-desk
else dist=$here/../../dist/ecfmg-desk
fi
[ -x "$dist/ecfmg-desk" ] || { echo "error: no built app in $dist; run: make package" >&2; exit 2; }
icons=$dist/_internal/resources/icons/app

rm -rf "$root/lib/ecfmg-desk"
mkdir -p "$root/lib/ecfmg-desk" "$root/bin" "$share/applications" "$share/metainfo" "$share/mime/packages" \
    "$share/icons/hicolor/scalable/apps"
cp -a "$dist/." "$root/lib/ecfmg-desk/"
ln -sf "$PREFIX/lib/ecfmg-desk/ecfmg-desk" "$root/bin/ecfmg-desk"

# Absolute Exec/TryExec: a menu launch works even when PREFIX/bin is not on the session's PATH (~/.local/bin).
sed -e "s|^Exec=ecfmg-desk |Exec=$PREFIX/bin/ecfmg-desk |" -e "s|^TryExec=ecfmg-desk$|TryExec=$PREFIX/bin/ecfmg-desk|" \
    "$here/$APP_ID.desktop" > "$share/applications/$APP_ID.desktop"
chmod 644 "$share/applications/$APP_ID.desktop"
install -m 644 "$here/$APP_ID.metainfo.xml" "$share/metainfo/$APP_ID.metainfo.xml"
install -m 644 "$here/ecfmg-desk-mime.xml" "$share/mime/packages/$APP_ID.xml"
install -m 644 "$icons/ecfmg-desk.svg" "$share/icons/hicolor/scalable/apps/$APP_ID.svg"
for n in $SIZES; do
    mkdir -p "$share/icons/hicolor/${n}x${n}/apps"
    install -m 644 "$icons/ecfmg-desk-$n.png" "$share/icons/hicolor/${n}x${n}/apps/$APP_ID.png"
done
refresh
echo "ECFMG Desk installed in $PREFIX: run ecfmg-desk, or find it in the applications menu."
