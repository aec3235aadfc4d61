#!/usr/bin/env bash
# Set up Trefas from a source checkout and start it, or run the test suite.
#
#   bash packaging/bootstrap.sh start [trefas arguments]   set up, then start the program
#   bash packaging/bootstrap.sh test  [pytest arguments]   set up, then run every test
#                                  (twice, see below; with arguments: pytest once, as given)
#   bash packaging/bootstrap.sh setup                      set up only (runtime + test deps)
#
# Idempotent: a second run only checks, and reinstalls the Python packages
# only when pyproject.toml changed. Needs Python 3.11 or newer. On Debian and
# Ubuntu the system libraries Qt and the tests need are installed with apt-get
# when running as root (or through sudo when it works without a password
# prompt); otherwise the script prints the one command to run.
#
# Environment:
#   PYTHON=/path/to/python3.11   the interpreter to build .venv with
#   TREFAS_SKIP_APT=1            never call apt-get
#   TREFAS_VENV=DIR              the virtual environment (default: .venv)
#   TREFAS_TEST_WORKERS=N        pytest-xdist workers for the two test passes (default 2;
#                                0 runs in one process)
#
# "test" without arguments runs the whole suite twice, because a date bug shows
# only at some hours: once with the machine zone UTC and the clock frozen
# (ticking) at 23:30 UTC on 4 December, when Stockholm is already on 5 December
# (TREFAS_TEST_NOW, see tests/conftest.py), and once on the real clock with the
# machine zone America/Los_Angeles (without the few tests that read neither
# clock nor zone: tests/passes.py, CLOCK_FREE). Each pass prints pytest's
# closing line; the exit status is non-zero if either pass failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO="$(pwd)"
VENV="${TREFAS_VENV:-$REPO/.venv}"
MODE="${1:-start}"
if [ $# -gt 0 ]; then shift; fi

say() { printf '%s\n' "trefas-bootstrap: $*" >&2; }
die() { say "$*"; exit 1; }

case "$MODE" in
    start|test|setup) ;;
    -h|--help|help)
        awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" |
            sed 's/^# \{0,1\}//'
        exit 0 ;;
    *) die "okänt läge '$MODE' (använd start, test eller setup)" ;;
esac

# --- system packages (Debian/Ubuntu) ------------------------------------------------

# What PySide6's QtGui loads, fonts for the PDFs, and the X11/Wayland platform plugins.
QT_PACKAGES="libegl1 libgl1 libglib2.0-0 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3 libx11-6 fonts-dejavu-core"
DESKTOP_PACKAGES="libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1 libwayland-client0 libwayland-cursor0 libwayland-egl1"
TEST_PACKAGES="poppler-utils xvfb tzdata postgresql postgresql-15-pgaudit"  # tzdata: the TZ=America/Los_Angeles test pass;
# postgresql (+ pgaudit): the server-mode tests start a private cluster of their own
PYTHON_PACKAGES="python3 python3-venv"

missing_packages() {
    local pkg status
    for pkg in "$@"; do
        status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
        case "$status" in
            *" installed") ;;
            *) printf '%s ' "$pkg" ;;
        esac
    done
}

APT_UPDATED=0
apt_install() {
    # apt_install PKG... — installs what is missing; never fails the run
    # (a library the program does not need for this mode must not stop it).
    [ "${TREFAS_SKIP_APT:-0}" = "1" ] && return 0
    command -v dpkg-query >/dev/null 2>&1 || return 0
    command -v apt-get >/dev/null 2>&1 || return 0
    local missing
    missing="$(missing_packages "$@")"
    [ -z "$missing" ] && return 0
    local sudo=""
    if [ "$(id -u)" != "0" ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo="sudo -n"
        else
            say "saknade systempaket: $missing"
            say "installera dem med:  sudo apt-get install -y $missing"
            return 0
        fi
    fi
    if [ "$APT_UPDATED" = "0" ]; then
        say "uppdaterar paketlistorna (apt-get update) …"
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || \
            say "apt-get update misslyckades; försöker ändå"
        APT_UPDATED=1
    fi
    # Only names this release knows (e.g. libxcb-cursor0 is missing on older ones).
    local available="" pkg
    for pkg in $missing; do
        if apt-cache show "$pkg" >/dev/null 2>&1; then
            available="$available $pkg"
        else
            say "paketet $pkg finns inte i den här utgåvan; hoppar över det"
        fi
    done
    [ -z "$available" ] && return 0
    say "installerar systempaket:$available"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        $available >/dev/null || say "kunde inte installera alla systempaket:$available"
}

# --- Python ---------------------------------------------------------------------------

python_ok() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null
}

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

venv_works() {
    [ -x "$VENV/bin/python" ] && python_ok "$VENV/bin/python" && \
        "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

ensure_venv() {
    if venv_works; then
        return 0
    fi
    local py
    if ! py="$(find_python)"; then
        apt_install $PYTHON_PACKAGES
        py="$(find_python)" || die "Python 3.11 eller nyare behövs (sätt PYTHON=/sökväg/till/python3.11)."
    fi
    # Debian splits venv/ensurepip into python3-venv (python3.X-venv).
    if ! "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        local ver
        ver="$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        apt_install python3-venv "python${ver}-venv"
    fi
    say "skapar den virtuella miljön $VENV med $("$py" --version 2>&1)"
    rm -rf "$VENV"
    "$py" -m venv "$VENV" || die "kunde inte skapa $VENV (saknas python3-venv?)"
}

checksum() {  # sha256 of stdin (sha256sum on Linux, shasum on macOS)
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum | cut -d' ' -f1
    else
        shasum -a 256 | cut -d' ' -f1
    fi
}

install_project() {
    # install_project EXTRAS — pip install -e ".[EXTRAS]" unless already done
    # for this pyproject.toml.
    local extras="$1" spec="." stamp digest
    [ -n "$extras" ] && spec=".[$extras]"
    stamp="$VENV/.trefas-installed${extras:+-$extras}"
    digest="$( (cat pyproject.toml; "$VENV/bin/python" --version 2>&1) | checksum)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ] && \
            "$VENV/bin/python" -c 'import trefas_app' >/dev/null 2>&1; then
        return 0
    fi
    say "installerar Trefas och dess Python-paket i $VENV …"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -e "$spec"
    printf '%s\n' "$digest" > "$stamp"
}

# --- the two test passes -----------------------------------------------------------------

#: An instant at which the UTC date (4 Dec) and the Stockholm date (5 Dec) differ.
FROZEN_TEST_NOW="2026-12-04T23:30:00+00:00"
FAR_ZONE="America/Los_Angeles"

xdist_args() {  # "-n N ..." when pytest-xdist is installed and more than one worker is wanted
    local workers="${TREFAS_TEST_WORKERS:-2}"
    if [ "$workers" -gt 1 ] 2>/dev/null && "$VENV/bin/python" -c 'import xdist' 2>/dev/null; then
        printf '%s\n' "-n $workers --dist loadfile"
    fi
}

run_test_passes() {
    local status=0 code args
    args="$(xdist_args)"
    say "pass 1/2: TZ=UTC, klockan fryst vid $FROZEN_TEST_NOW (TREFAS_TEST_NOW) …"
    code=0
    TZ=UTC TREFAS_TEST_NOW="$FROZEN_TEST_NOW" "$VENV/bin/python" -m pytest $args || code=$?
    [ "$code" -eq 0 ] || { say "pass 1/2 misslyckades (pytest $code)"; status=$code; }
    say "pass 2/2: TZ=$FAR_ZONE, verklig klocka …"
    code=0
    # Without the tests that read neither clock nor zone (tests/passes.py, CLOCK_FREE):
    # the first pass ran them; this one is for clock and zone bugs.
    env -u TREFAS_TEST_NOW TZ="$FAR_ZONE" "$VENV/bin/python" -m pytest $args -m "not clock_free" || code=$?
    [ "$code" -eq 0 ] || { say "pass 2/2 misslyckades (pytest $code)"; [ "$status" -ne 0 ] || status=$code; }
    return "$status"
}

# --- modes ------------------------------------------------------------------------------

case "$MODE" in
    test)
        apt_install $QT_PACKAGES $TEST_PACKAGES
        ensure_venv
        install_project test
        export QT_QPA_PLATFORM=offscreen
        if [ $# -gt 0 ]; then  # a developer's own selection: once, as given
            say "kör testerna …"
            exec "$VENV/bin/python" -m pytest "$@"
        fi
        run_test_passes
        ;;
    setup)
        apt_install $QT_PACKAGES $DESKTOP_PACKAGES $TEST_PACKAGES
        ensure_venv
        install_project test
        say "klart: $VENV/bin/trefas --help"
        ;;
    start)
        apt_install $QT_PACKAGES $DESKTOP_PACKAGES
        ensure_venv
        install_project ""
        # The first time, create the demo store at the default place (or
        # TREFAS_STORE) so that there is something to log in to; it prints
        # its users and their password.
        if [ $# -eq 0 ] && ! "$VENV/bin/python" - <<'PY'
import sys
from trefas_app.paths import default_store_dir
from trefas_app.store.store import StorePaths
sys.exit(0 if StorePaths(default_store_dir()).exists() else 1)
PY
        then
            "$VENV/bin/trefas" demo
        fi
        exec "$VENV/bin/trefas" "$@"
        ;;
esac
