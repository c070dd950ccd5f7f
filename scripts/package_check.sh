#!/usr/bin/env bash
# Build the Linux one-folder app with PyInstaller and prove the frozen program works (make package-check).
#
#   scripts/package_check.sh               build into build/ and dist/, then check everything below
#   scripts/package_check.sh --no-build    check the dist/ecfmg-desk already there
#   scripts/package_check.sh --build-only  build and make the release tarball, no checks (make package)
#
# Checks, offscreen and isolated in a temporary folder (never your vaults, settings or keyring):
#   --version prints pyproject's version; --help; resources/ and the package metadata are bundled;
#   demo --vault TMP, then gui --vault TMP --screenshot TMP/shot.png gives a real, non-blank window;
#   packaging/linux/install.sh into a temporary prefix and out again;
#   desktop-file-validate, appstreamcli validate --no-net and update-mime-database when installed.
# Prints the build time, the folder size and the frozen start-up time. Needs binutils (PyInstaller on Linux).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PY=$BIN/python
DIST=dist/ecfmg-desk
APP=$DIST/ecfmg-desk
mode=${1:-check}

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'package-check: FAILED: %s\n' "$*" >&2; exit 1; }
now() { echo "${EPOCHREALTIME/,/.}"; }
elapsed() { "$PY" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }

VERSION=$("$PY" -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])")

build() {
    "$PY" -c "import PyInstaller" 2>/dev/null || "$PY" -m pip install -q -e ".[package]"
    command -v objdump >/dev/null || fail "PyInstaller needs objdump and strip: apt-get install binutils"
    say "PyInstaller one-folder build of ecfmg-desk $VERSION"
    local t0 log
    t0=$(now)
    log=build/pyinstaller.log
    mkdir -p build
    if ! "$BIN/pyinstaller" --noconfirm --clean --log-level WARN --distpath dist --workpath build \
        packaging/pyinstaller/ecfmg-desk.spec >"$log" 2>&1; then
        cat "$log" >&2
        fail "PyInstaller build (log: $log)"
    fi
    # Qt's xcb and GTK plugins name system libraries this machine may lack; they come from the user's desktop.
    grep -E "ERROR|WARNING" "$log" | grep -v -E "could not resolve|required via ctypes not found" || true
    BUILD_SECONDS=$(elapsed "$t0")
    echo "build time: ${BUILD_SECONDS} s"
    echo "folder size: $(du -sh "$DIST" | cut -f1) ($(find "$DIST" -type f | wc -l) files) in $DIST"
}

tarball() {
    local name=ecfmg-desk-$VERSION-linux-$(uname -m) t0
    t0=$(now)
    tar -czf "dist/$name.tar.gz" --owner=0 --group=0 --transform "s,^,$name/," \
        -C dist ecfmg-desk \
        -C ../packaging/linux install.sh org.ecfmgdesk.EcfmgDesk.desktop org.ecfmgdesk.EcfmgDesk.metainfo.xml \
        ecfmg-desk-mime.xml
    echo "tarball: dist/$name.tar.gz, $(du -h "dist/$name.tar.gz" | cut -f1), $(elapsed "$t0") s"
}

case $mode in
--build-only) build; tarball; exit 0 ;;
--no-build) [ -x "$APP" ] || fail "no $APP: run without --no-build first" ;;
check) build ;;
*) echo "usage: $0 [--no-build|--build-only]" >&2; exit 2 ;;
esac

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# The frozen app, headless and sealed off: its own data and config folders, no keyring (the passphrase path).
export QT_QPA_PLATFORM=offscreen
export XDG_DATA_HOME=$TMP/data XDG_CONFIG_HOME=$TMP/config XDG_CACHE_HOME=$TMP/cache
export ECFMG_DESK_HOME=$TMP/home ECFMG_DESK_PASSPHRASE=package-check-passphrase
export PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring

# run NAME CMD...: run the frozen app, keep its output in $TMP/NAME.{out,err}; on failure show it and the
# Qt plugin diagnosis (a missing system library shows up there, not in Qt's own message).
run() {
    local name=$1
    shift
    if ! timeout 120 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"; then
        cat "$TMP/$name.out" "$TMP/$name.err" >&2
        QT_DEBUG_PLUGINS=1 timeout 60 "$@" 2>&1 | grep -i -E "cannot|failed|not found|error" | head -20 >&2 || true
        fail "$*"
    fi
    if grep -q "Traceback" "$TMP/$name.err"; then cat "$TMP/$name.err" >&2; fail "traceback from: $*"; fi
}

say "The frozen program"
t0=$(now)
run version "$APP" --version
echo "--version: $(cat "$TMP/version.out") (start to exit: $(elapsed "$t0") s)"
grep -q -F "$VERSION" "$TMP/version.out" || fail "--version does not print $VERSION (package metadata not bundled?)"
run help "$APP" --help
grep -q -i "usage" "$TMP/help.out" || fail "--help prints no usage"

compgen -G "$DIST/_internal/resources/requirements/*.toml" >/dev/null || fail "no requirement catalog in the bundle"
# Every font the app registers (ecfmg_desk.resources.FONT_FILES: regular and bold), byte for byte.
fonts=$("$PY" -c "from ecfmg_desk.resources import FONT_FILES; print(' '.join('fonts/' + f for f in FONT_FILES))")
for f in icons/app/ecfmg-desk.svg icons/app/ecfmg-desk-256.png fonts/OFL.txt $fonts; do
    [ -f "$DIST/_internal/resources/$f" ] || fail "resources/$f missing from the bundle"
    case $f in fonts/*) cmp -s "resources/$f" "$DIST/_internal/resources/$f" || fail "resources/$f differs in the bundle" ;; esac
done
compgen -G "$DIST/_internal/ecfmg_desk-*-info" >/dev/null || fail "no ecfmg-desk package metadata in the bundle"
echo "bundled: resources/ (catalog, icons, fonts) and the package metadata"

run requirements "$APP" requirements --json
"$PY" -c "import json, sys; json.load(open(sys.argv[1]))" "$TMP/requirements.out" \
    || fail "requirements --json is not JSON"

run demo "$APP" demo --vault "$TMP/vault"
t0=$(now)
run gui "$APP" gui --vault "$TMP/vault" --screenshot "$TMP/shot.png"
echo "gui --screenshot: $(elapsed "$t0") s"
[ -s "$TMP/shot.png" ] || fail "gui --screenshot wrote no PNG"
"$PY" - "$TMP/shot.png" <<'EOF' || fail "the screenshot is blank or too small"
import sys

from PIL import Image

with Image.open(sys.argv[1]) as image:
    rgb = image.convert("RGB")
colours = rgb.getcolors(maxcolors=1 << 24) or []
# A real window has text (anti-aliased: hundreds of shades), icons and widgets; a blank one has a handful.
print(f"screenshot: {rgb.width}x{rgb.height}, {len(colours)} colours")
sys.exit(0 if rgb.width >= 1024 and rgb.height >= 700 and len(colours) >= 64 else 1)
EOF

say "The frozen program exports a packet"
# The demo has deliberate problems: the export gate must refuse it (exit 1) and write nothing.
set +e
timeout 120 "$APP" --vault "$TMP/vault" export --out "$TMP/refused.pdf" >"$TMP/refused.out" 2>"$TMP/refused.err"
rc=$?
set -e
[ "$rc" -eq 1 ] && [ ! -e "$TMP/refused.pdf" ] || { cat "$TMP/refused.err" >&2; fail "export gate (exit $rc)"; }
# Fix them as a user would (scans made with the venv's Pillow), then export the packet and the bundle.
"$PY" -c "import sys; sys.path.insert(0, '.'); from pathlib import Path; from tests.samples import make_scan_pdf
make_scan_pdf(Path(sys.argv[1]), dpi=200); make_scan_pdf(Path(sys.argv[2]), dpi=200)" "$TMP/nv.pdf" "$TMP/tr.pdf"
run list "$APP" --vault "$TMP/vault" list --json
transcript=$("$PY" -c "import json, sys; print(next(d['id'] for d in json.load(open(sys.argv[1]))['documents']
    if d['requirement'] == 'final-transcript'))" "$TMP/list.out")
run add-nv "$APP" --vault "$TMP/vault" add name-verification "$TMP/nv.pdf" --issued 2023-01-10 \
    --name-on-document "M. J. Garcia"
run add-tr "$APP" --vault "$TMP/vault" add translation "$TMP/tr.pdf" --translation-of "$transcript" \
    --translator "Lingua" --translator-kind professional --issued 2022-08-02
t0=$(now)
run export "$APP" --vault "$TMP/vault" export --out "$TMP/packet.pdf" --bundle "$TMP/packet.ecfmgpkt"
echo "export: $(elapsed "$t0") s; $(cat "$TMP/export.err" | head -1)"
run verify "$APP" verify "$TMP/packet.ecfmgpkt"
"$PY" -c "import sys; from pypdf import PdfReader; n = len(PdfReader(sys.argv[1]).pages); print(f'packet: {n} pages')
sys.exit(0 if n >= 10 else 1)" "$TMP/packet.pdf" || fail "the exported packet is too short"
# The same export with no system font at all: the cover must draw with the bundled fonts alone.
printf '<?xml version="1.0"?><fontconfig><cachedir>%s</cachedir></fontconfig>\n' "$TMP/fc-cache" >"$TMP/fonts.conf"
run export-nofonts env FONTCONFIG_FILE="$TMP/fonts.conf" "$APP" --vault "$TMP/vault" export --out "$TMP/nofonts.pdf"
"$PY" - "$TMP/nofonts.pdf" <<'EOF' || fail "the cover drew with a font that is not bundled"
import sys

from pypdf import PdfReader

page = PdfReader(sys.argv[1]).pages[0]
fonts = {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
print(f"cover fonts without system fonts: {', '.join(sorted(fonts))}")
sys.exit(0 if fonts and all("Noto" in f for f in fonts) else 1)
EOF

say "packaging/linux/install.sh into a temporary prefix"
PREFIX=$TMP/prefix
sh packaging/linux/install.sh "$PREFIX" >"$TMP/install.log" 2>&1 || { cat "$TMP/install.log" >&2; fail "install.sh"; }
run installed "$PREFIX/bin/ecfmg-desk" --version
for f in share/applications/org.ecfmgdesk.EcfmgDesk.desktop share/metainfo/org.ecfmgdesk.EcfmgDesk.metainfo.xml \
    share/mime/packages/org.ecfmgdesk.EcfmgDesk.xml share/icons/hicolor/scalable/apps/org.ecfmgdesk.EcfmgDesk.svg \
    share/icons/hicolor/16x16/apps/org.ecfmgdesk.EcfmgDesk.png share/icons/hicolor/512x512/apps/org.ecfmgdesk.EcfmgDesk.png; do
    [ -f "$PREFIX/$f" ] || fail "install.sh did not install $f"
done
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$PREFIX/share/applications/org.ecfmgdesk.EcfmgDesk.desktop"
fi
if command -v update-mime-database >/dev/null; then
    grep -q "application/x-ecfmg-packet:\*\.ecfmgpkt" "$PREFIX/share/mime/globs2" \
        || fail "shared-mime-info did not register *.ecfmgpkt (bad ecfmg-desk-mime.xml?)"
    echo "update-mime-database: *.ecfmgpkt -> application/x-ecfmg-packet"
fi
sh packaging/linux/install.sh --uninstall "$PREFIX" >"$TMP/install.log" 2>&1 \
    || { cat "$TMP/install.log" >&2; fail "install.sh --uninstall"; }
left=$(find "$PREFIX" -type f ! -path "*/share/mime/*" ! -name "*.cache" ! -name "mimeinfo.cache")
[ -z "$left" ] || fail "install.sh --uninstall left: $left"
echo "installed, ran from PREFIX/bin, uninstalled cleanly"

say "Desktop metadata"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate packaging/linux/org.ecfmgdesk.EcfmgDesk.desktop
    echo "desktop-file-validate: ok"
else
    echo "desktop-file-validate: not installed, skipped (apt-get install desktop-file-utils)"
fi
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net packaging/linux/org.ecfmgdesk.EcfmgDesk.metainfo.xml
else
    echo "appstreamcli: not installed, skipped (apt-get install appstream)"
fi

say "package-check: OK (ecfmg-desk $VERSION${BUILD_SECONDS:+, built in $BUILD_SECONDS s}, $(du -sh "$DIST" | cut -f1))"
