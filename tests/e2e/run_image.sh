#!/usr/bin/env bash
# Run a locally built image without a container daemon, honouring its config
# (Entrypoint, Cmd, Env, User, WorkingDir), in a new PID namespace so that the
# image's entrypoint is PID 1 exactly as under docker.
#
#   bash tests/e2e/run_image.sh start NAME IMAGE [VAR=VALUE...]   # starts in background
#   bash tests/e2e/run_image.sh stop NAME [GRACE_SECONDS]         # SIGTERM to PID 1
#
# start: extra VAR=VALUE pairs override the image's Env (e.g. PORT=3000). The network is
#        the host's: the app's port is reachable on localhost. Output goes to
#        $STATE/NAME/log (STATE=${DOCKGEN_E2E_RUN_STATE:-/run/dockgen-e2e}). Prints nothing.
# stop:  sends SIGTERM to PID 1 of the namespace (what `docker stop` does) and waits
#        GRACE_SECONDS (default 10). Prints "exit=<code> seconds=<n>" or, if PID 1 did
#        not exit, kills it and prints "exit=killed seconds=<grace>" and returns 4.
#        A node process as PID 1 without an init ignores SIGTERM, so an image without
#        tini/dumb-init shows up as "killed".
# Needs root, buildah, unshare (util-linux), python3.
set -Eeuo pipefail

STATE=${DOCKGEN_E2E_RUN_STATE:-/run/dockgen-e2e}
die() { printf 'run_image.sh: %s\n' "$*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo 'run_image.sh: needs root' >&2; exit 3; }
for t in buildah unshare python3; do command -v "$t" >/dev/null || { echo "run_image.sh: needs $t" >&2; exit 3; }; done

cmd=${1:-}; name=${2:-}
[[ -n $cmd && -n $name && $name =~ ^[A-Za-z0-9_.-]+$ ]] || { sed -n '5,7p' "$0" >&2; exit 2; }
dir=$STATE/$name

case $cmd in
start)
  image=${3:?image}; shift 3
  [[ ! -e $dir/pid ]] || die "$name is already running (stop it first)"
  mkdir -p "$dir"
  ctr=$(buildah from --pull=never --name "dockgen-run-$name" "$image")
  echo "$ctr" >"$dir/ctr"
  mnt=$(buildah mount "$ctr")
  mkdir -p "$mnt/dev" "$mnt/proc" "$mnt/tmp"
  mount --bind /dev "$mnt/dev"
  echo "$mnt/dev" >"$dir/devmount"
  trap 'umount "$mnt/dev" 2>/dev/null; buildah rm "$ctr" >/dev/null 2>&1; rm -f "$dir"/ctr "$dir"/devmount' ERR
  # resolve the config into: env lines, then NUL-separated argv, user, group, workdir
  buildah inspect --type image "$image" | python3 -c '
import json, sys, os
cfg = json.load(sys.stdin)["OCIv1"]["config"]
mnt, out, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
env = dict(e.split("=", 1) for e in cfg.get("Env") or [])
env.setdefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
env.setdefault("HOME", "/")
for e in extra:
    k, v = e.split("=", 1); env[k] = v
argv = (cfg.get("Entrypoint") or []) + (cfg.get("Cmd") or [])
if not argv: sys.exit("image has neither Entrypoint nor Cmd")
user = cfg.get("User") or "0"
u, _, g = user.partition(":")
def lookup(path, key, field):
    if key.isdigit(): return key
    try:
        for line in open(os.path.join(mnt, path)):
            p = line.rstrip("\n").split(":")
            if p[0] == key: return p[field]
    except FileNotFoundError: pass
    sys.exit(f"cannot resolve {key!r} in /{path} of the image")
def passwd():
    try: return [l.rstrip("\n").split(":") for l in open(os.path.join(mnt, "etc/passwd"))]
    except FileNotFoundError: return []
uid = lookup("etc/passwd", u, 2)
entry = next((p for p in passwd() if len(p) > 5 and p[2] == uid), None)
gid = lookup("etc/group", g, 2) if g else (entry[3] if entry else "0")
if entry and not any(e.startswith("HOME=") for e in (cfg.get("Env") or []) + extra):
    env["HOME"] = entry[5]
wd = cfg.get("WorkingDir") or "/"
with open(out, "wb") as f:
    f.write(b"\0".join(f"{k}={v}".encode() for k, v in env.items()) + b"\0\0")
    f.write(b"\0".join(a.encode() for a in argv) + b"\0\0")
    f.write(f"{uid}\0{gid}\0{wd}\0".encode())
' "$mnt" "$dir/spec" "$@"
  mapfile -d '' parts <"$dir/spec"
  envs=() argv=() i=0
  while [[ -n ${parts[i]} ]]; do envs+=("${parts[i]}"); i=$((i + 1)); done; i=$((i + 1))
  while [[ -n ${parts[i]} ]]; do argv+=("${parts[i]}"); i=$((i + 1)); done; i=$((i + 1))
  uid=${parts[i]} gid=${parts[i+1]} wd=${parts[i+2]}
  printf '%s\n' "${argv[*]}" >"$dir/argv"
  # env -i runs on the host: distroless images have no env binary
  rm -f "$dir/rc"
  (
    rc=0
    env -i "${envs[@]}" unshare --pid --fork --kill-child --root="$mnt" --wd="$wd" \
      --setuid="$uid" --setgid="$gid" -- "${argv[@]}" >"$dir/log" 2>&1 </dev/null || rc=$?
    echo "$rc" >"$dir/rc"
  ) >/dev/null 2>&1 </dev/null &
  echo $! >"$dir/pid"
  ;;
stop)
  grace=${3:-10}
  [[ -e $dir/pid ]] || die "$name is not running"
  sub=$(cat "$dir/pid") code='' t=0
  if [[ ! -e $dir/rc ]]; then
    ush=$(pgrep -P "$sub" | head -n1 || true)
    pid1=$([[ -n $ush ]] && pgrep -P "$ush" | head -n1 || true)
    [[ -n $pid1 ]] && kill -TERM "$pid1" 2>/dev/null || true
    while [[ ! -e $dir/rc ]] && ((t < grace * 10)); do sleep 0.1; t=$((t + 1)); done
    if [[ ! -e $dir/rc ]]; then
      [[ -n $ush ]] && kill -KILL "$ush" 2>/dev/null || true   # --kill-child takes PID 1 with it
      code=killed
      for _ in $(seq 50); do [[ -e $dir/rc ]] && break; sleep 0.1; done
    fi
  fi
  [[ -n $code ]] || code=$(cat "$dir/rc" 2>/dev/null || echo unknown)
  ctr=$(cat "$dir/ctr")
  umount "$(cat "$dir/devmount")" 2>/dev/null || umount -l "$(cat "$dir/devmount")" 2>/dev/null || true
  buildah umount "$ctr" >/dev/null 2>&1 || true
  buildah rm "$ctr" >/dev/null 2>&1 || true
  rm -f "$dir/pid" "$dir/ctr" "$dir/devmount" "$dir/spec" "$dir/rc"
  printf 'exit=%s seconds=%s.%s\n' "$code" $((t / 10)) $((t % 10))
  [[ $code != killed ]] || exit 4
  ;;
*) sed -n '5,7p' "$0" >&2; exit 2 ;;
esac
