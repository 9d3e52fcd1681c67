#!/usr/bin/env bash
# Build local stand-ins for the Python base images that generated Dockerfiles use, tagged under the
# real names, because real registries are unreachable here (Node's are in standins.sh).
#
#   bash tests/e2e/standins_python.sh
#
# Python 3.13 only: Debian 13 (trixie) carries 3.13, the one line that also has a distroless image.
# The model accepts 3.11-3.15 (other lines differ only in the image tag); the e2e suite builds 3.13.
#
#   docker.io/library/python:3.13, :3.13-trixie   full: CPython under /usr/local (Debian's python3.13
#                                                  moved to /usr/local/bin: same layout as the official
#                                                  image), pip, venv, gcc/make/libc6-dev/python3.13-dev.
#                                                  No zoneinfo (do not count on it in the full image).
#   docker.io/library/python:3.13-slim, :3.13-slim-trixie
#                                                  same without the toolchain; with tzdata, ca-certificates,
#                                                  netbase like the official slim image.
#   gcr.io/distroless/python3-debian13, :nonroot   no shell, no pip: trixie .debs of python3.13 and the
#                                                  libraries it links, unpacked with dpkg-deb -x; Python at
#                                                  /usr/bin/python3.13 (the entrypoint), nonroot = 65532.
#
# Every image has the host's CA bundle baked in, with SSL_CERT_FILE/REQUESTS_CA_BUNDLE/PIP_CERT pointing
# at it, so pip, uv and Poetry (requests) trust this machine's HTTPS egress. That is the test harness's
# business: a generated Dockerfile never mentions it.
#
# Environment:
#   DOCKGEN_E2E_CACHE          download cache (default /var/cache/dockgen-e2e)
#   DOCKGEN_E2E_DEBIAN_MIRROR  Debian mirror for debootstrap (default: debootstrap's own)
#
# An image is skipped ("cached") when it exists with label dockgen.standin=<sha256 of this script>;
# editing this script rebuilds these images (and only these).
# Exit codes: 0 ok, 1 build failure, 3 missing prerequisites.
set -Eeuo pipefail

SCRIPT=$(readlink -f "${BASH_SOURCE[0]}")
CACHE=${DOCKGEN_E2E_CACHE:-/var/cache/dockgen-e2e}
SUITE=trixie
MIRROR=${DOCKGEN_E2E_DEBIAN_MIRROR:-}
PY=3.13
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

log() { printf '%s\n' "$*"; }
die() { printf 'standins_python.sh: error: %s\n' "$*" >&2; exit 1; }
on_err() {
  local rc=$? line=${BASH_LINENO[0]:-?}
  printf 'standins_python.sh: error: command failed (exit %s) at line %s: %s\n' "$rc" "$line" "$BASH_COMMAND" >&2
}
trap on_err ERR

missing=()
[[ $(id -u) -eq 0 ]] || missing+=("root (run as uid 0)")
for tool in buildah debootstrap dpkg-deb tar sha256sum flock; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
  printf 'standins_python.sh: missing prerequisites: %s\n' "${missing[*]}" >&2
  printf 'standins_python.sh: needs root, buildah, debootstrap, dpkg-deb (apt-get install buildah debootstrap)\n' >&2
  exit 3
fi
[[ -r $CA_BUNDLE ]] || { printf 'standins_python.sh: missing %s on the host\n' "$CA_BUNDLE" >&2; exit 3; }

# One run at a time, shared with standins.sh: same image store, same download cache.
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9

LABEL=$(sha256sum <"$SCRIPT" | cut -d' ' -f1)
FULL_TAGS=("docker.io/library/python:$PY" "docker.io/library/python:$PY-trixie")
SLIM_TAGS=("docker.io/library/python:$PY-slim" "docker.io/library/python:$PY-slim-trixie")
DL_ROOT="gcr.io/distroless/python3-debian13:latest"
DL_NONROOT="gcr.io/distroless/python3-debian13:nonroot"
ALL=("${FULL_TAGS[@]}" "${SLIM_TAGS[@]}" "$DL_ROOT" "$DL_NONROOT")

label_of() {
  buildah inspect --type image --format '{{index .OCIv1.Config.Labels "dockgen.standin"}}' "$1" 2>/dev/null || true
}
todo=()
for t in "${ALL[@]}"; do
  if [[ $(label_of "$t") == "$LABEL" ]]; then log "cached  $t"; else todo+=("$t"); fi
done
((${#todo[@]})) || exit 0
need() { local t; for t in "$@"; do [[ " ${todo[*]} " == *" $t "* ]] && return 0; done; return 1; }

WORK=$(mktemp -d /tmp/dockgen-standins-py.XXXXXX)
CONTAINERS=()
cleanup() {
  local c
  for c in "${CONTAINERS[@]}"; do
    [[ -n $c ]] || continue
    buildah umount "$c" >/dev/null 2>&1 || true
    buildah rm "$c" >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

new_ctr() { # new_ctr FROM NAME -> prints container name
  local c
  c=$(buildah from --pull=never --name "$2" "$1" 2>/dev/null || true)
  if [[ -z $c ]]; then
    buildah rm "$2" >/dev/null 2>&1 || true   # left over from an interrupted run
    c=$(buildah from --pull=never --name "$2" "$1")
  fi
  CONTAINERS+=("$c")
  printf '%s' "$c"
}
image_id() { buildah inspect --type image --format '{{.FromImageID}}' "$1" 2>/dev/null || true; }
commit_tags() { # commit_tags CTR TAG... : commit once, add the other tags, drop the images this replaced
  local ctr=$1 first=$2; shift 2
  local old=() t id new
  for t in "$first" "$@"; do id=$(image_id "$t"); [[ -n $id ]] && old+=("$id"); done
  buildah commit --quiet --rm "$ctr" "$first" >/dev/null
  CONTAINERS=("${CONTAINERS[@]/$ctr/}")
  for t in "$@"; do buildah tag "$first" "$t"; done
  new=$(image_id "$first")
  for id in "${old[@]}"; do
    [[ $id == "$new" ]] || buildah rmi "$id" >/dev/null 2>&1 || true
  done
}
in_ctr() { # in_ctr CTR LOGNAME SCRIPT : sh -ec SCRIPT inside the container, log tail on failure
  buildah run --isolation chroot "$1" -- sh -ec "$3" >"$WORK/$2.log" 2>&1 \
    || { tail -n 30 "$WORK/$2.log" >&2; die "$2 failed (log above)"; }
}

# ---------------------------------------------------------------- the Debian 13 root (cached)
ROOTFS_TAR=$CACHE/rootfs-$SUITE-minbase.tar
if [[ ! -s $ROOTFS_TAR ]]; then
  dir=$WORK/rootfs
  log "debootstrap $SUITE (minbase) -> $ROOTFS_TAR"
  debootstrap --variant=minbase "$SUITE" "$dir" ${MIRROR:+"$MIRROR"} >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
  mirror=$(awk '$1 == "deb" { print $2; exit }' "$dir/etc/apt/sources.list")
  [[ -n $mirror ]] || die "debootstrap left no apt source in /etc/apt/sources.list"
  cat >"$dir/etc/apt/sources.list" <<EOF
deb $mirror $SUITE main
deb $mirror $SUITE-updates main
deb ${mirror%/debian}/debian-security $SUITE-security main
EOF
  cat >"$dir/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb
  rm -rf "${dir:?}"/dev/* "${dir:?}"/proc/* "${dir:?}"/sys/*
  tar -C "$dir" --numeric-owner -cf "$ROOTFS_TAR.tmp" .
  mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  rm -rf "$dir"
fi

# ---------------------------------------------------------------- python:3.13-slim / python:3.13
base=$(new_ctr scratch dockgen-standin-py-base)
mnt=$(buildah mount "$base")
tar -C "$mnt" --numeric-owner -xf "$ROOTFS_TAR"
buildah umount "$base" >/dev/null
buildah copy --quiet "$base" "$CA_BUNDLE" /usr/local/share/dockgen-host-ca.crt >/dev/null
# Debian's python3.13 moved to /usr/local/bin finds its stdlib in /usr/lib/python3.13 (the official image
# keeps everything under /usr/local; what matters to a Dockerfile is the interpreter's path).
# pip comes from Debian's bundled wheel (Debian disables ensurepip for its system python), installed into
# /usr/local like the official image's pip.
in_ctr "$base" py-base '
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends python3.13 python3.13-venv ca-certificates netbase tzdata >/dev/null
  cp /usr/local/share/dockgen-host-ca.crt /etc/ssl/certs/ca-certificates.crt
  rm -rf /var/lib/apt/lists/*
  mv /usr/bin/python3.13 /usr/local/bin/python3.13
  ln -s python3.13 /usr/local/bin/python3
  ln -s python3 /usr/local/bin/python
  rm -f /usr/lib/python3.13/EXTERNALLY-MANAGED
  whl=$(ls /usr/share/python-wheels/pip-*.whl)
  /usr/local/bin/python3.13 "$whl/pip" install -q --no-index --root-user-action=ignore --disable-pip-version-check "$whl"
  rm -rf /root/.cache
  if ls /usr/bin/python* >/dev/null 2>&1; then echo "left behind: $(ls /usr/bin/python*)"; exit 1; fi
  /usr/local/bin/python -c "import sys, ssl, sqlite3, venv; assert sys.prefix == \"/usr\", sys.prefix"
  pip --version'
pyver=$(buildah run --isolation chroot "$base" -- /usr/local/bin/python3 -c 'import platform; print(platform.python_version())')
[[ $pyver == "$PY".* ]] || die "the trixie python3.13 package is Python $pyver"
buildah config \
  --env "PATH=$STD_PATH" --env "LANG=C.UTF-8" --env "PYTHON_VERSION=$pyver" \
  --env "SSL_CERT_FILE=$CA_BUNDLE" --env "REQUESTS_CA_BUNDLE=$CA_BUNDLE" --env "PIP_CERT=$CA_BUNDLE" \
  --cmd '["python3"]' --entrypoint '[]' --workingdir / \
  --label "dockgen.standin=$LABEL" --label "dockgen.standin.python-version=$pyver" \
  --label "dockgen.standin.debian-suite=$SUITE" "$base"
base_img=localhost/dockgen-standin-py-base:$PY
commit_tags "$base" "$base_img"

if need "${SLIM_TAGS[@]}"; then
  c=$(new_ctr "$base_img" dockgen-standin-py-slim)
  commit_tags "$c" "${SLIM_TAGS[@]}"
  for t in "${SLIM_TAGS[@]}"; do log "built   $t (Python $pyver)"; done
fi

if need "${FULL_TAGS[@]}"; then
  c=$(new_ctr "$base_img" dockgen-standin-py-full)
  in_ctr "$c" py-full '
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends gcc make libc6-dev python3.13-dev git >/dev/null
    rm -rf /var/lib/apt/lists/*
    for f in /usr/bin/python3.13-config /usr/bin/x86_64-linux-gnu-python3.13-config; do
      [ -e "$f" ] && mv "$f" /usr/local/bin/
    done
    ln -sf python3.13-config /usr/local/bin/python3-config
    if ls /usr/bin/python* >/dev/null 2>&1; then echo "left behind: $(ls /usr/bin/python*)"; exit 1; fi
    DEBIAN_FRONTEND=noninteractive dpkg --purge --force-depends tzdata >/dev/null
    rm -rf /usr/share/zoneinfo /etc/localtime /etc/timezone
    gcc --version >/dev/null; make --version >/dev/null; test -e /usr/include/python3.13/Python.h'
  commit_tags "$c" "${FULL_TAGS[@]}"
  for t in "${FULL_TAGS[@]}"; do log "built   $t (Python $pyver)"; done
fi

# ---------------------------------------------------------------- gcr.io/distroless/python3-debian13
if need "$DL_ROOT" "$DL_NONROOT"; then
  src=$(new_ctr "$base_img" dockgen-standin-py-debs)
  mkdir -p "$WORK/debs"
  # One apt-get download of python3.13's dependency closure (plus what distroless adds), in the trixie
  # root; then keep only libraries, Python and data: no shell, no coreutils, no dpkg, no perl.
  buildah run --isolation chroot -v "$WORK/debs:/debs" "$src" -- sh -ec '
    apt-get update -qq
    cd /debs
    pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
             --no-replaces --no-enhances python3.13 libstdc++6 tzdata netbase media-types \
           | grep "^[a-z0-9]" | sort -u \
           | grep -E "^(lib[a-z0-9.+-]*|zlib1g|python3\.13(-minimal)?|tzdata|netbase|media-types)$" \
           | grep -v -E -- "-dev$|^libpam|^libperl|^libsemanage|^libaudit|^libapt|^libdebconf|^libsystemd|^libudev|^libcap-ng|^libselinux|^libsepol")
    apt-get download $pkgs >/dev/null
    rm -rf /var/lib/apt/lists/*' >"$WORK/debs.log" 2>&1 \
    || { tail -n 30 "$WORK/debs.log" >&2; die "apt-get download for distroless failed (log above)"; }
  # new_ctr runs in $(...), a subshell: the EXIT trap does not know this container, so remove it here
  buildah rm "$src" >/dev/null
  c=$(new_ctr scratch dockgen-standin-py-distroless)
  dmnt=$(buildah mount "$c")
  install -d -m 0755 "$dmnt/usr/bin" "$dmnt/usr/lib" "$dmnt/usr/lib64" "$dmnt/etc/ssl/certs" "$dmnt/home" "$dmnt/var"
  ln -s usr/bin "$dmnt/bin"; ln -s usr/lib "$dmnt/lib"; ln -s usr/lib64 "$dmnt/lib64"; ln -s usr/sbin "$dmnt/sbin"
  install -d -m 0755 "$dmnt/usr/sbin"
  for deb in "$WORK"/debs/*.deb; do dpkg-deb -x "$deb" "$dmnt"; done
  rm -rf "$dmnt/usr/share/doc" "$dmnt/usr/share/man" "$dmnt/usr/share/lintian" "$dmnt/usr/share/info"
  install -d -m 1777 "$dmnt/tmp"
  install -d -m 0700 "$dmnt/root"
  install -d -m 0700 -o 65532 -g 65532 "$dmnt/home/nonroot"
  install -m 0644 "$CA_BUNDLE" "$dmnt/etc/ssl/certs/ca-certificates.crt"
  ln -sfn python3.13 "$dmnt/usr/bin/python3"
  ln -sfn python3 "$dmnt/usr/bin/python"
  cat >"$dmnt/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
  cat >"$dmnt/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
EOF
  printf 'hosts: files dns\n' >"$dmnt/etc/nsswitch.conf"
  printf 'PRETTY_NAME="Distroless stand-in (dockgen e2e)"\nID=debian\nVERSION_ID="13"\n' >"$dmnt/etc/os-release"
  for bad in bin/sh usr/bin/sh bin/bash usr/bin/bash usr/bin/dash usr/bin/pip usr/bin/pip3 usr/bin/apt-get usr/bin/dpkg usr/bin/perl; do
    [[ ! -e $dmnt/$bad && ! -L $dmnt/$bad ]] || die "distroless: $bad leaked into the image"
  done
  [[ -x $dmnt/usr/bin/python3.13 ]] || die "distroless: no /usr/bin/python3.13"
  [[ -e $dmnt/usr/share/zoneinfo/Europe/Berlin ]] || die "distroless: no zoneinfo"
  # every library the interpreter and the stdlib's extension modules need
  chroot "$dmnt" /usr/bin/python3.13 -c 'import ssl, sqlite3, ctypes, zoneinfo, json, decimal, lzma, bz2, zlib, hashlib, uuid' \
    || die "distroless: the stdlib does not import"
  buildah umount "$c" >/dev/null
  buildah config \
    --env "PATH=$STD_PATH" --env "LANG=C.UTF-8" \
    --env "SSL_CERT_FILE=$CA_BUNDLE" \
    --entrypoint '["/usr/bin/python3.13"]' --cmd '[]' \
    --user 65532 --workingdir /home/nonroot \
    --label "dockgen.standin=$LABEL" --label "dockgen.standin.python-version=$pyver" "$c"
  old=$(image_id "$DL_NONROOT")
  buildah commit --quiet "$c" "$DL_NONROOT" >/dev/null
  [[ -z $old || $old == "$(image_id "$DL_NONROOT")" ]] || buildah rmi "$old" >/dev/null 2>&1 || true
  buildah config --user 0 --workingdir / "$c"
  commit_tags "$c" "$DL_ROOT"
  log "built   $DL_NONROOT (Python $pyver)"
  log "built   $DL_ROOT (Python $pyver)"
fi
buildah rmi "$base_img" >/dev/null 2>&1 || true

# ---------------------------------------------------------------- smoke
for t in "${FULL_TAGS[0]}" "${SLIM_TAGS[0]}" "$DL_NONROOT"; do
  c=$(new_ctr "$t" dockgen-standin-py-smoke)
  case $t in
    gcr.io/*)
      out=$(buildah run --isolation chroot "$c" -- /usr/bin/python3.13 -c 'import sys; print(sys.version.split()[0])')
      buildah run --isolation chroot "$c" -- /bin/sh -c true >/dev/null 2>&1 && die "smoke: $t has /bin/sh" ;;
    *)
      out=$(buildah run --isolation chroot "$c" -- python -c 'import sys; print(sys.version.split()[0])')
      buildah run --isolation chroot "$c" -- sh -ec 'pip --version >/dev/null; python -m venv --without-pip /tmp/v; /tmp/v/bin/python -c 1' \
        || die "smoke: $t: pip or venv broken" ;;
  esac
  buildah rm "$c" >/dev/null; CONTAINERS=("${CONTAINERS[@]/$c/}")
  log "smoke   $t: Python $out"
done
