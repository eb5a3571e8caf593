#!/bin/sh
# Installs the tfstate toolkit from this unpacked release: the eight binaries, their man
# pages, their bash, zsh and fish completions and the docs, after checking every file
# against SHA256SUMS. Written by `cargo xtask dist`.
#
#   ./install.sh [--prefix DIR] [--uninstall]
#
# DIR is where bin/ and share/ go: --prefix, else $PREFIX, else /usr/local for root and
# ~/.local for anyone else. Exit codes: 0 done, 2 bad usage, 3 a file is corrupt or cannot
# be written.
set -eu

usage() {
    sed -n '2,11s/^# \{0,1\}//p' "$0"
}

die() {
    code=$1
    shift
    printf '[ERROR] %s\n' "$*" >&2
    exit "$code"
}

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
prefix=${PREFIX:-}
action=install
while [ $# -gt 0 ]; do
    case $1 in
        --prefix)
            [ $# -ge 2 ] || die 2 "--prefix needs a directory, as in --prefix ~/.local"
            prefix=$2
            shift 2
            ;;
        --prefix=*)
            prefix=${1#--prefix=}
            shift
            ;;
        --uninstall)
            action=uninstall
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            die 2 "unknown argument '$1' (see ./install.sh --help)"
            ;;
    esac
done
if [ -z "$prefix" ]; then
    if [ "$(id -u)" = 0 ]; then prefix=/usr/local; else prefix=$HOME/.local; fi
fi
case $prefix in
    /*) ;;
    *) prefix=$(pwd)/$prefix ;;
esac

cd "$here"
[ -f SHA256SUMS ] || die 3 "SHA256SUMS is missing: unpack the whole release archive again"
# Every installed path, as listed in SHA256SUMS: bin/... and share/...
files=$(sed -n -e 's/^[0-9a-f]\{64\}  \(bin\/.*\)$/\1/p' \
    -e 's/^[0-9a-f]\{64\}  \(share\/.*\)$/\1/p' SHA256SUMS)

if [ "$action" = uninstall ]; then
    for file in $files; do
        rm -f "$prefix/$file"
    done
    printf '[SUCCESS] removed the tfstate toolkit from %s\n' "$prefix" >&2
    exit 0
fi

if command -v sha256sum >/dev/null 2>&1; then
    sha256sum --check --quiet --strict SHA256SUMS >&2 ||
        die 3 "a file of this release does not match SHA256SUMS: download and unpack it again"
elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 --check --quiet SHA256SUMS >&2 ||
        die 3 "a file of this release does not match SHA256SUMS: download and unpack it again"
else
    die 3 "neither sha256sum nor shasum is installed to check the files"
fi
printf '[INFO] every file matches SHA256SUMS\n' >&2

for file in $files; do
    case $file in
        bin/*) mode=755 ;;
        *) mode=644 ;;
    esac
    target=$prefix/$file
    mkdir -p "$(dirname "$target")" || die 3 "cannot create $(dirname "$target")"
    # A copy beside the target, then a rename: a running binary is replaced, never torn.
    cp "$file" "$target.tmp.$$" && chmod "$mode" "$target.tmp.$$" &&
        mv -f "$target.tmp.$$" "$target" || {
        rm -f "$target.tmp.$$"
        die 3 "cannot write $target"
    }
done

count=$(printf '%s\n' "$files" | grep -c '^bin/')
if [ "$count" = 1 ]; then noun=binary; else noun=binaries; fi
printf '[SUCCESS] installed %s %s, man pages and completions under %s\n' \
    "$count" "$noun" "$prefix" >&2
case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) printf '[WARNING] %s/bin is not on PATH: add it, as in\n  export PATH="%s/bin:$PATH"\n' \
        "$prefix" "$prefix" >&2 ;;
esac
printf '[INFO] zsh: add %s/share/zsh/site-functions to fpath before compinit\n' "$prefix" >&2
