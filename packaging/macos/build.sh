#!/usr/bin/env bash
# Build Trefas for macOS: Trefas.app (PyInstaller one-folder, hardened runtime)
# in a DMG; signed and notarized when credentials are given.
#
#   bash packaging/macos/build.sh
#
# Environment:
#   TREFAS_CODESIGN_IDENTITY   "Developer ID Application: … (TEAMID)"; without it the
#                              app is signed ad hoc (runs on this Mac only)
#   TREFAS_NOTARY_PROFILE      a `xcrun notarytool store-credentials` profile name, or
#   TREFAS_APPLE_ID, TREFAS_TEAM_ID, TREFAS_APP_PASSWORD   (app-specific password)
#   TREFAS_DIST=DIR            results (default dist/)
#
# Results: dist/Trefas.app, dist/Trefas-VERSION-macOS-ARCH.dmg
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
REPO="$(pwd)"
DIST="${TREFAS_DIST:-$REPO/dist}"
WORK="$REPO/build/pyinstaller"
VENV="${TREFAS_VENV:-$REPO/.venv}"
ENTITLEMENTS="$REPO/packaging/macos/entitlements.plist"
IDENTITY="${TREFAS_CODESIGN_IDENTITY:-}"
say() { printf '%s\n' "trefas-build: $*" >&2; }

[ "$(uname -s)" = "Darwin" ] || { say "körs bara på macOS"; exit 2; }
[ -x "$VENV/bin/python" ] || bash packaging/bootstrap.sh setup
PY="$VENV/bin/python"
"$PY" -m pip install --disable-pip-version-check -q -e ".[bundle]"
VERSION="$("$PY" -c 'from trefas_app import __version__; print(__version__)')"
ARCH="$(uname -m)"

rm -rf "$DIST/trefas" "$DIST/Trefas.app" "$WORK"
mkdir -p "$WORK/icons"
"$PY" packaging/make_icons.py "$WORK/icons" >/dev/null
# PyInstaller signs every binary it collects with this identity and the
# hardened runtime's entitlements (the spec reads these variables).
TREFAS_ICON="$WORK/icons/trefas.icns" TREFAS_CODESIGN_IDENTITY="$IDENTITY" \
TREFAS_ENTITLEMENTS="$ENTITLEMENTS" \
    "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" packaging/trefas.spec
APP="$DIST/Trefas.app"

# Qt's dotted folder names: codesign takes a folder whose name has a dot in
# Contents/MacOS for a bundle and refuses to sign it. PyInstaller's recipe
# (PyInstaller >= 5 does it itself: data under Contents/Resources, symlinks in
# Contents/MacOS) — repeated here for any such folder still left: move it to
# Contents/Resources and leave a relative symlink.
fix_dotted_folders() {
    local macos="$APP/Contents/MacOS" dir rel
    while IFS= read -r -d '' dir; do
        rel="${dir#"$macos"/}"
        # A moved library would still find its Qt neighbours by the old relative
        # paths: the recipe then rewrites its load commands. Stop rather than
        # ship a program that cannot load them.
        if find "$dir" -type f -exec file -b {} + 2>/dev/null | grep -q "Mach-O"; then
            say "FEL: $rel har ett punktnamn och innehåller bibliotek; se PyInstallers recept" \
                "'Recipe OSX Code Signing Qt' (laddkommandona måste skrivas om)"
            exit 1
        fi
        mkdir -p "$APP/Contents/Resources/$(dirname "$rel")"
        mv "$dir" "$APP/Contents/Resources/$rel"
        ln -s "$("$PY" -c 'import os,sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' \
            "$APP/Contents/Resources/$rel" "$(dirname "$dir")")" "$dir"
        say "flyttad: $rel → Contents/Resources (symlänk kvar)"
    done < <(find "$macos" -depth -type d -name '*.*' ! -name '*.framework' ! -name '*.app' \
        ! -name '*.dSYM' -print0)
}
fix_dotted_folders

# Sign: inside out (every Mach-O file, then the bundle), hardened runtime,
# secure timestamp. Ad hoc without an identity.
if [ -n "$IDENTITY" ]; then
    sign() { codesign --force --timestamp --options runtime --entitlements "$ENTITLEMENTS" \
        --sign "$IDENTITY" "$@"; }
else
    say "ingen TREFAS_CODESIGN_IDENTITY: ad hoc-signering (bara för den här datorn)"
    sign() { codesign --force --options runtime --entitlements "$ENTITLEMENTS" --sign - "$@"; }
fi
while IFS= read -r -d '' file; do
    if file -b "$file" | grep -q "Mach-O"; then sign "$file"; fi
done < <(find "$APP/Contents" -type f -print0)
sign "$APP"
codesign --verify --deep --strict --verbose=2 "$APP"

"$APP/Contents/MacOS/trefas" --self-test

# The DMG: the app and a link to /Applications.
DMG="$DIST/Trefas-$VERSION-macOS-$ARCH.dmg"
STAGE="$WORK/dmg"
rm -rf "$STAGE" "$DMG"
mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "Trefas $VERSION" -srcfolder "$STAGE" -ov -format UDZO "$DMG"
if [ -n "$IDENTITY" ]; then
    codesign --force --timestamp --sign "$IDENTITY" "$DMG"
fi

# Notarize and staple (needs a Developer ID identity).
if [ -n "$IDENTITY" ] && { [ -n "${TREFAS_NOTARY_PROFILE:-}" ] || [ -n "${TREFAS_APPLE_ID:-}" ]; }; then
    if [ -n "${TREFAS_NOTARY_PROFILE:-}" ]; then
        xcrun notarytool submit "$DMG" --keychain-profile "$TREFAS_NOTARY_PROFILE" --wait
    else
        xcrun notarytool submit "$DMG" --apple-id "$TREFAS_APPLE_ID" \
            --team-id "$TREFAS_TEAM_ID" --password "$TREFAS_APP_PASSWORD" --wait
    fi
    xcrun stapler staple "$DMG"
    spctl --assess --type open --context context:primary-signature --verbose "$DMG"
else
    say "inte notariserad (ange TREFAS_CODESIGN_IDENTITY och TREFAS_NOTARY_PROFILE)"
fi
say "klart: $DMG"
