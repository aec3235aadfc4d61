#!/usr/bin/env bash
# CI: build the Linux bundle from this checkout and run it as a user would —
# with no Python anywhere it could use.
#
#   bash packaging/linux/ci_bundle.sh
#
# 1. packaging/linux/build.sh (PyInstaller one-folder, tar.gz, AppDir), timed.
# 2. `ldd` on the program and every bundled shared library, with the bundle's
#    library folder as the loader would use it: nothing may be "not found".
# 3. The frozen program, started with `env -i` (PATH=/usr/bin:/bin and a folder
#    of `python`/`python3` stand-ins that fail), and — when this runs as root and
#    `unshare` works — in a mount namespace where every system Python
#    interpreter and libpython is covered by a stand-in that fails, so that
#    nothing but the bundle can be what runs: `--version`, `--self-test`,
#    `demo --store …`, `check`, `document handover` → a PDF, `verify-document`,
#    and the window started offscreen until its unlock dialog is painted. Nothing
#    may have been written into the bundle's folder afterwards.
# Prints the bundle's size and the build time; exits non-zero on the first failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
REPO="$(pwd)"
say() { printf '%s\n' "ci-bundle: $*" >&2; }

if [ "${1:-}" = "--checks" ]; then
    BUNDLE="$2"
    WORK="$3"
    SHIM="$WORK/no-python"
    if [ "${4:-}" = "--cover-python" ]; then
        # Inside `unshare -m`: cover every system interpreter and libpython.
        # Also the interpreters the build used (e.g. a pyenv or venv Python outside /usr).
        for target in /usr/bin/python3* /usr/local/bin/python3* /usr/bin/python2* \
                /usr/lib/*/libpython3*.so* /usr/local/lib/libpython3*.so* ${OTHER_PYTHONS:-}; do
            [ -e "$target" ] || continue
            case "$target" in *-config) continue ;; esac
            mount --bind "$SHIM/python3" "$(readlink -f "$target")"
        done
        for py in /usr/bin/python3 $OTHER_PYTHONS; do
            case "$py" in *.so*) continue ;; esac
            if "$py" -c 'pass' 2>/dev/null; then
                say "FEL: $py går fortfarande att köra"; exit 1
            fi
        done
        say "systemets Python är övertäckt"
    fi
    PROGRAM="$BUNDLE/trefas"
    STORE="$WORK/demo"
    touch "$WORK/.before-runs"
    sleep 1  # the marker's time must be older than anything the runs could write
    run() {  # run ARGS… — the frozen program, clean environment
        env -i PATH="$SHIM:/usr/bin:/bin" HOME="$WORK/home" LANG=C.UTF-8 \
            QT_QPA_PLATFORM=offscreen TREFAS_LOG_DIR="$WORK/log" \
            XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data" \
            XDG_CONFIG_DIRS="$WORK/etc-xdg" TREFAS_STORE="$STORE" \
            TREFAS_PASSWORD="${PASSWORD:-}" TREFAS_KDF_PROFILE="${KDF_PROFILE:-}" \
            "$PROGRAM" "$@"
    }
    step() { say "» trefas $*"; }
    step --version;   run --version
    step --self-test; run --self-test
    # A throw-away demo store: cheap key derivation keeps CI quick (the real
    # Argon2id is checked by --self-test above).
    step demo;        PASSWORD='Ci-bundle-demo-2026!' KDF_PROFILE=test run demo >/dev/null
    step check;       run check
    user=mirela.kovac
    case_number="$(PASSWORD='Ci-bundle-demo-2026!' run case list --json --user "$user" |
        grep -m1 -o '"number": "K-[0-9-]*"' | cut -d'"' -f4)"
    [ -n "$case_number" ] || { say "FEL: inget ärende för $user"; exit 1; }
    step document handover --case "$case_number"
    PASSWORD='Ci-bundle-demo-2026!' run document handover --case "$case_number" --to police \
        --out "$WORK/handover.pdf" --user "$user"
    head -c 5 "$WORK/handover.pdf" | grep -q '%PDF-' || { say "FEL: ingen PDF"; exit 1; }
    step verify-document
    PASSWORD='Ci-bundle-demo-2026!' run verify-document "$WORK/handover.pdf" --user "$user"
    step "(fönstret, offscreen, till upplåsningsdialogen)"
    painted="$(TREFAS_EXIT_WHEN_UNLOCK_SHOWN=1 env -i PATH="$SHIM:/usr/bin:/bin" \
        HOME="$WORK/home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen TREFAS_LOG_DIR="$WORK/log" \
        XDG_CONFIG_HOME="$WORK/config" XDG_CONFIG_DIRS="$WORK/etc-xdg" \
        TREFAS_EXIT_WHEN_UNLOCK_SHOWN=1 timeout 120 "$PROGRAM" --store "$STORE" 2>/dev/null)"
    [ "$painted" = "unlock-dialog-painted" ] || { say "FEL: upplåsningsdialogen ritades inte"; exit 1; }
    written="$(find "$BUNDLE" -newer "$WORK/.before-runs" -print | head -5)"
    [ -z "$written" ] || { say "FEL: programmet skrev i sin egen mapp: $written"; exit 1; }
    say "alla körningar av det frysta programmet gick igenom; inget skrevs i paketets mapp"
    exit 0
fi

DIST="$(mktemp -d /tmp/trefas-ci-dist.XXXXXX)"
WORK="$(mktemp -d /tmp/trefas-ci-run.XXXXXX)"
trap 'rm -rf "$DIST" "$WORK"' EXIT

start=$(date +%s)
TREFAS_DIST="$DIST" bash packaging/linux/build.sh
build_seconds=$(( $(date +%s) - start ))
BUNDLE="$DIST/trefas"

say "ldd på programmet och varje delat bibliotek i paketet …"
checked=0
missing=0
while IFS= read -r -d '' file; do
    [ "$(head -c 4 "$file" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
    checked=$((checked + 1))
    if LD_LIBRARY_PATH="$BUNDLE/_internal" ldd "$file" 2>&1 | grep -q "not found"; then
        say "saknas för ${file#"$BUNDLE"/}:"
        LD_LIBRARY_PATH="$BUNDLE/_internal" ldd "$file" 2>&1 | grep "not found" >&2
        missing=$((missing + 1))
    fi
done < <(find "$BUNDLE" -type f \( -name '*.so' -o -name '*.so.*' -o -path "$BUNDLE/trefas" \) -print0)
[ "$missing" = 0 ] || { say "FEL: $missing av $checked filer har olösta beroenden"; exit 1; }
say "ldd: alla $checked filer hittar sina bibliotek"

mkdir -p "$WORK/no-python" "$WORK/home" "$WORK/etc-xdg"
for name in python python3; do
    printf '#!/bin/sh\necho "ci-bundle: Python anropades ($0) - paketet ska klara sig utan" >&2\nexit 97\n' \
        > "$WORK/no-python/$name"
    chmod 755 "$WORK/no-python/$name"
done
OTHER_PYTHONS=""
for py in "$REPO/.venv/bin/python" "$(command -v python3 || true)"; do
    [ -n "$py" ] && [ -e "$py" ] || continue
    real="$(readlink -f "$py")"
    libs="$(ls "$(dirname "$real")"/../lib/libpython3*.so* 2>/dev/null || true)"
    OTHER_PYTHONS="$OTHER_PYTHONS $real $(printf '%s ' $libs)"
done
export OTHER_PYTHONS
if [ "$(id -u)" = "0" ] && unshare -m true 2>/dev/null; then
    unshare -m bash "$REPO/packaging/linux/ci_bundle.sh" --checks "$BUNDLE" "$WORK" --cover-python
else
    say "unshare går inte här: systemets Python täcks bara över på PATH"
    bash "$REPO/packaging/linux/ci_bundle.sh" --checks "$BUNDLE" "$WORK"
fi

size="$(du -sh "$BUNDLE" | cut -f1)"
packed="$(du -h "$DIST"/trefas-*-linux-*.tar.gz | cut -f1)"
say "paketet: $size i mappen, $packed som tar.gz; byggtid $build_seconds s"
