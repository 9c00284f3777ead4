#!/usr/bin/env bash
# install-deps.sh demo|test|ci - install the Debian packages a job needs, once (`make demo`,
# `make test` and .ci/run call it).
# As root it runs apt-get (apt-get update first); otherwise it prints the exact command
# and fails. Already-installed packages are not touched, so it is quick to rerun.
set -euo pipefail
build=(make gcc libc6-dev pkg-config flex bison libyaml-dev libpq-dev libcurl4-openssl-dev zlib1g-dev)
server=(postgresql postgresql-client)
case "${1:-demo}" in
    demo) want=("${build[@]}" "${server[@]}") ;;
    test) want=("${build[@]}" "${server[@]}" jq sqlfluff nodejs npm) ;;
    ci)   want=("${build[@]}" "${server[@]}" jq sqlfluff nodejs npm valgrind clang libclang-rt-14-dev time) ;;
    *) echo "usage: install-deps.sh demo|test|ci" >&2; exit 2 ;;
esac
missing=()
for p in "${want[@]}"; do
    case "$p" in
        # a Node.js build that ships npm itself (e.g. nodesource's) conflicts with Debian's npm
        nodejs|npm) command -v "${p/nodejs/node}" >/dev/null && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "missing packages; install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
