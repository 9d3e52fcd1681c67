#!/usr/bin/env bash
# Load stand-in base images from buildah's storage into a Docker daemon, under the same names, with the
# machine's CA bundle baked in (a docker build has no `-v` to mount it into RUN steps, as the buildah
# builds do).
#
#   bash tests/e2e/standins_docker.sh IMAGE...      e.g. node:24-trixie gcr.io/distroless/nodejs24-debian13:nonroot
#
# Each IMAGE must already be in buildah's storage (tests/e2e/standins.sh and the other stand-in scripts
# build them). Per image: a copy with /etc/ssl/certs/ca-certificates.crt replaced by the host's is
# committed with the label dockgen.standin.docker=<hash of the buildah image id, the CA bundle and this
# script>, pushed as a docker-archive and `docker load`ed; names that share an image id are loaded once
# and tagged. An image already in the daemon with the same label is skipped, so a second run takes a
# second.
#
# Environment: DOCKER_HOST (the daemon), DOCKGEN_DOCKER (the client, default /usr/bin/docker: Debian's,
# which builds with BuildKit), DOCKGEN_E2E_CACHE (where the lock lives, default /var/cache/dockgen-e2e).
# Exit codes: 0 ok, 1 failure, 2 usage, 3 missing prerequisites.
set -Eeuo pipefail

SCRIPT=$(readlink -f "${BASH_SOURCE[0]}")
CACHE=${DOCKGEN_E2E_CACHE:-/var/cache/dockgen-e2e}
DOCKER=${DOCKGEN_DOCKER:-/usr/bin/docker}
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
LABEL=dockgen.standin.docker

log() { printf '%s\n' "$*"; }
die() { printf 'standins_docker.sh: error: %s\n' "$*" >&2; exit 1; }

(($#)) || { sed -n '6p' "$0" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo 'standins_docker.sh: needs root (buildah storage)' >&2; exit 3; }
command -v buildah >/dev/null || { echo 'standins_docker.sh: needs buildah' >&2; exit 3; }
[[ -x $DOCKER ]] || { echo "standins_docker.sh: no docker client at $DOCKER (set DOCKGEN_DOCKER)" >&2; exit 3; }
"$DOCKER" version >/dev/null 2>&1 || { echo "standins_docker.sh: the Docker daemon does not answer (DOCKER_HOST=${DOCKER_HOST:-unset})" >&2; exit 3; }
[[ -r $CA_BUNDLE ]] || { echo "standins_docker.sh: missing $CA_BUNDLE on the host" >&2; exit 3; }

# One run at a time per machine: concurrent sessions share buildah's storage and may share a daemon.
mkdir -p "$CACHE"
exec 9>"$CACHE/.docker-lock"
flock 9

# docker.io/library/node:24 for node:24, as both buildah and docker spell it in full.
full_name() {
  local name=$1 first=${1%%/*}
  if [[ $name != */* ]]; then name=docker.io/library/$name
  elif [[ $first != *.* && $first != *:* && $first != localhost ]]; then name=docker.io/$name
  fi
  [[ ${name##*/} == *:* || $name == *@* ]] || name=$name:latest
  printf '%s' "$name"
}

CA_SHA=$(sha256sum <"$CA_BUNDLE" | cut -d' ' -f1)
SCRIPT_SHA=$(sha256sum <"$SCRIPT" | cut -d' ' -f1)
WORK=$(mktemp -d /var/tmp/dockgen-standins-docker.XXXXXX)
CTR=""
cleanup() {
  [[ -z $CTR ]] || buildah rm "$CTR" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

declare -A names_of=()   # label -> space-separated names to load under it
declare -A source_of=()  # label -> a buildah name to copy from
order=()
for arg in "$@"; do
  name=$(full_name "$arg")
  id=$(buildah inspect --type image --format '{{.FromImageID}}' "$name" 2>/dev/null) \
    || die "$name is not in buildah's storage: build the stand-ins first (tests/e2e/standins.sh)"
  label=$(printf '%s\n%s\n%s\n' "$id" "$CA_SHA" "$SCRIPT_SHA" | sha256sum | cut -d' ' -f1)
  have=$("$DOCKER" image inspect --format "{{index .Config.Labels \"$LABEL\"}}" "$name" 2>/dev/null || true)
  if [[ $have == "$label" ]]; then log "cached  $name"; continue; fi
  # the same buildah image already loaded under another name (node:24 and node:24-trixie): tag it
  same=$("$DOCKER" images -q --filter "label=$LABEL=$label" | head -n1)
  if [[ -n $same ]]; then "$DOCKER" tag "$same" "$name"; log "tagged  $name"; continue; fi
  if [[ -z ${source_of[$label]:-} ]]; then source_of[$label]=$name; order+=("$label"); fi
  names_of[$label]="${names_of[$label]:-} $name"
done

for label in "${order[@]}"; do
  read -r -a names <<<"${names_of[$label]}"
  src=${source_of[$label]} tmp=localhost/dockgen-standin-docker:${label:0:12}
  CTR=$(buildah from --pull=never --name "dockgen-standin-docker-${label:0:12}" "$src")
  buildah copy --quiet "$CTR" "$CA_BUNDLE" /etc/ssl/certs/ca-certificates.crt >/dev/null
  buildah config --label "$LABEL=$label" "$CTR"
  buildah commit --quiet --rm "$CTR" "$tmp" >/dev/null
  CTR=""
  archive=$WORK/image.tar
  buildah push --quiet "$tmp" "docker-archive:$archive:${names[0]}" >/dev/null
  buildah rmi "$tmp" >/dev/null 2>&1 || true
  old=()
  for name in "${names[@]}"; do
    id=$("$DOCKER" image inspect --format '{{.Id}}' "$name" 2>/dev/null || true)
    [[ -z $id ]] || old+=("$id")
  done
  "$DOCKER" load -q -i "$archive" >/dev/null || die "docker load of ${names[0]} failed"
  rm -f "$archive"
  for name in "${names[@]:1}"; do "$DOCKER" tag "${names[0]}" "$name"; done
  # the archive also names the temporary image: untag it (the image stays under its real names)
  "$DOCKER" rmi "$tmp" >/dev/null 2>&1 || true
  new=$("$DOCKER" image inspect --format '{{.Id}}' "${names[0]}")
  for id in "${old[@]}"; do
    [[ $id == "$new" ]] || "$DOCKER" rmi "$id" >/dev/null 2>&1 || true   # still used: harmless
  done
  for name in "${names[@]}"; do log "loaded  $name"; done
done
