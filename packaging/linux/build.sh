#!/usr/bin/env bash
# Build the Linux packages of Trefas from this checkout:
#
#   dist/trefas/                              the one-folder program (PyInstaller)
#   dist/trefas-VERSION-linux-ARCH.tar.gz      that folder, packed
#   dist/Trefas.AppDir/                        the AppImage's contents (AppRun, .desktop, icon)
#   dist/Trefas-VERSION-ARCH.AppImage          only when appimagetool is available (below)
#
#   bash packaging/linux/build.sh
#
# Uses the project's .venv (made by `bash packaging/bootstrap.sh setup` if
# missing) and installs PyInstaller into it (the `bundle` extra).
#
# Environment:
#   TREFAS_DIST=DIR        where the results go (default: dist/)
#   APPIMAGETOOL=PATH      appimagetool to pack the AppDir (else `appimagetool` on PATH;
#                          neither Debian nor PyPI ships it — see packaging/README.md)
#   TREFAS_SKIP_APT=1      do not install the X11 libraries the bundle carries
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
REPO="$(pwd)"
DIST="${TREFAS_DIST:-$REPO/dist}"
WORK="$REPO/build/pyinstaller"
VENV="${TREFAS_VENV:-$REPO/.venv}"

say() { printf '%s\n' "trefas-build: $*" >&2; }

# Qt's X11 platform plugin needs these; installed here so that PyInstaller finds
# them and puts them into the bundle (a desktop without them still starts).
BUNDLED_X11="libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1"
if [ "${TREFAS_SKIP_APT:-0}" != "1" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    missing=""
    for pkg in $BUNDLED_X11; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q " installed$" || missing="$missing $pkg"
    done
    if [ -n "$missing" ]; then
        say "installerar:$missing"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
            >/dev/null 2>&1 || {
            DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                $missing >/dev/null || say "kunde inte installera:$missing"
        }
    fi
fi

if ! [ -x "$VENV/bin/python" ]; then
    TREFAS_SKIP_APT=1 bash packaging/bootstrap.sh setup
fi
PY="$VENV/bin/python"
if ! "$PY" -c 'import PyInstaller' >/dev/null 2>&1; then
    say "installerar PyInstaller i $VENV"
    "$PY" -m pip install --disable-pip-version-check -q -e ".[bundle]"
fi

VERSION="$("$PY" -c 'from trefas_app import __version__; print(__version__)')"
ARCH="$(uname -m)"
rm -rf "$DIST/trefas" "$DIST/Trefas.AppDir" "$WORK"
mkdir -p "$DIST"

say "PyInstaller (en mapp) …"
start=$(date +%s)
# The Linguist .qm files must match their sources; the spec bundles resources/ as is.
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" packaging/trefas.spec
rm -rf "$WORK"

TARBALL="$DIST/trefas-$VERSION-linux-$ARCH.tar.gz"
say "packar $TARBALL"
tar -C "$DIST" -czf "$TARBALL" trefas

# --- the AppDir ---------------------------------------------------------------------
APPDIR="$DIST/Trefas.AppDir"
mkdir -p "$APPDIR/usr/lib" "$APPDIR/usr/share/applications" \
    "$APPDIR/usr/share/icons/hicolor/256x256/apps"
cp -a "$DIST/trefas" "$APPDIR/usr/lib/trefas"
"$PY" packaging/make_icons.py "$APPDIR/usr/share/icons/hicolor/256x256/apps" >/dev/null
cp "$APPDIR/usr/share/icons/hicolor/256x256/apps/trefas.png" "$APPDIR/trefas.png"
rm -f "$APPDIR"/usr/share/icons/hicolor/256x256/apps/trefas.{ico,icns}
cat > "$APPDIR/trefas.desktop" <<'DESKTOP'
[Desktop Entry]
Type=Application
Name=Trefas
Comment=Samverkan mellan socialtjänst, polis och Kriminalvården
Comment[en]=Joint case work between social services, police and probation
Exec=trefas
Icon=trefas
Terminal=false
Categories=Office;
DESKTOP
cp "$APPDIR/trefas.desktop" "$APPDIR/usr/share/applications/trefas.desktop"
cat > "$APPDIR/AppRun" <<'APPRUN'
#!/bin/sh
# Start the bundled program; every argument is passed on (`--self-test`, commands).
HERE="$(dirname "$(readlink -f "$0")")"
exec "$HERE/usr/lib/trefas/trefas" "$@"
APPRUN
chmod 755 "$APPDIR/AppRun"

TOOL="${APPIMAGETOOL:-$(command -v appimagetool || true)}"
if [ -n "$TOOL" ]; then
    IMAGE="$DIST/Trefas-$VERSION-$ARCH.AppImage"
    say "packar $IMAGE med $TOOL"
    ARCH="$ARCH" "$TOOL" --no-appstream "$APPDIR" "$IMAGE" >/dev/null
else
    say "appimagetool saknas: AppDir och tar.gz är klara, ingen AppImage (se packaging/README.md)"
fi

say "klart på $(( $(date +%s) - start )) s: $(du -sh "$DIST/trefas" | cut -f1) i mappen, " \
    "$(du -h "$TARBALL" | cut -f1) packat"
