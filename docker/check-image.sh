#!/usr/bin/env bash
# docker/check-image.sh — the project's own container check (run by .ci/run after
# ../shared/docker/verify-dockerfile.sh, which builds the image as seqserve:ci).
#
# Runs the image as an operator would (--read-only, tmpfs /tmp, published on a loopback port):
#   1. bare: waits for healthy, checks a base, a range and a reverse complement of the bundled
#      demo genome against its FASTA copied out of the image and read by docker/oracle.mjs (no
#      seqserve code), that its .fai and digests are bundled (no warnings), then `docker stop`
#      while two slow downloads are in flight (one still being written, one written but not yet
#      read): both must arrive whole, and the container exit 0.
#   2. with a generated test genome (no .fai) mounted at /data:ro and SEQSERVE_DATA=/data:
#      waits for healthy, checks every sequence (bases, ranges, regions, reverse complements,
#      the in-memory .fai, the FASTA bytes, refget by MD5) against the file, then stop → exit 0.
#   3. --lock (SEQSERVE_LOCK=all): under a 1 MiB memlock ulimit and no capability the start is
#      refused with one line saying how to grant it; with `--cap-add IPC_LOCK --ulimit memlock=-1`
#      (what README and compose say; where the host's dockerd may not raise the hard limit, a
#      large enough ulimit and, apart, root with the capability) every mapped byte is locked and
#      resident when healthy; the capability alone does not reach the image's non-root user.
# Prints the image size and the time to healthy. Exits non-zero on any mismatch; removes its
# containers and temporary files however it ends.
# Env: IMAGE (default seqserve:ci), BUILD=1 to (re)build IMAGE first on the local base images
# (built anyway when IMAGE is missing), HEALTH_TIMEOUT (s, default 60), STOP_MAX (s, default 10).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "check-image: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

image=${IMAGE:-seqserve:ci}
timeout_s=${HEALTH_TIMEOUT:-60}
stop_max=${STOP_MAX:-10}
command -v node >/dev/null || die "node is needed on the host (for docker/oracle.mjs)"
command -v curl >/dev/null || die "curl is needed on the host (apt-get install curl)"
docker info >/dev/null 2>&1 || die "no Docker daemon answers: run ../shared/docker/install-docker.sh first"

work=$(mktemp -d "${TMPDIR:-/tmp}/seqserve-check.XXXXXX")
containers=()
cleanup() {
  local c
  for c in "${containers[@]}"; do docker rm -f -v "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "${BUILD:-}" = 1 ] || ! docker image inspect "$image" >/dev/null 2>&1; then
  log "building $image on the local base images"
  t0=$SECONDS
  docker build --force-rm --network host \
    --build-arg BUILD_IMAGE=seqserve-node24-build:local --build-arg RUNTIME_IMAGE=seqserve-node24-runtime:local \
    -t "$image" . >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; die "docker build failed"; }
  log "built in $((SECONDS - t0))s"
fi
size=$(docker image inspect -f '{{.Size}}' "$image")
log "image $image: $((size / 1000000)) MB ($size bytes)"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { printf '%d.%d' $(($1 / 1000)) $((($1 % 1000) / 100)); }   # ms -> s with one decimal

# start NAME [docker run options...]: runs the image read-only and waits for healthy; sets $url.
start() {
  local name=$1; shift
  containers+=("$name")
  local t0; t0=$(now_ms)
  docker run -d --name "$name" --read-only --tmpfs /tmp -p 127.0.0.1::8080 --health-interval 1s "$@" "$image" >/dev/null \
    || die "docker run $name failed"
  local state
  while :; do
    state=$(docker inspect -f '{{.State.Status}} {{.State.Health.Status}}' "$name")
    case $state in
      "running healthy") break ;;
      "running starting") ;;
      *) docker logs --tail 40 "$name" >&2; die "$name is '$state' instead of healthy" ;;
    esac
    if [ $(($(now_ms) - t0)) -gt $((timeout_s * 1000)) ]; then
      docker logs --tail 40 "$name" >&2; die "$name not healthy after ${timeout_s}s"
    fi
    sleep 0.2
  done
  healthy_s=$(secs $(($(now_ms) - t0)))
  url="http://$(docker port "$name" 8080/tcp | head -n1)"
  log "$name healthy after ${healthy_s}s (health interval 1s) at $url"
}

# stop NAME: docker stop; the container must exit 0 within $stop_max seconds.
stop() {
  local name=$1 t0 took took_ms code
  t0=$(now_ms)
  docker stop -t 20 "$name" >/dev/null
  took_ms=$(($(now_ms) - t0)); took=$(secs "$took_ms")
  code=$(docker inspect -f '{{.State.ExitCode}}' "$name")
  log "$name stopped in ${took}s, exit code $code"
  [ "$code" = 0 ] || { docker logs --tail 20 "$name" >&2; die "$name exited $code on SIGTERM, not 0"; }
  [ "$took_ms" -lt $((stop_max * 1000)) ] || die "$name took ${took}s to stop (limit ${stop_max}s)"
}

# 1. Bare: the bundled demo genome.
bare=seqserve-check-bare-$$
start "$bare"
bare_healthy=$healthy_s
docker cp "$bare:/app/data/demo/demo.fa" "$work/demo.fa"
node docker/oracle.mjs check-demo "$url" "$work/demo.fa"
# The genome page and what it loads (its bundle, and igv.js from the installed package).
page=$(curl -sS --fail "$url/") || die "GET / failed"
for asset in $(grep -o '/page/[A-Za-z0-9._-]*' <<<"$page" | sort -u); do
  curl -sS --fail -o /dev/null "$url$asset" || die "the page's $asset is not served"
done
igv=$(grep -o '/page/igv[A-Za-z0-9._-]*\.js' <<<"$page" | head -1)
[ -n "$igv" ] || die "the page does not name igv.js"
log "the genome page, its assets and igv.js ($igv) are served"
docker logs "$bare" >"$work/bare.log" 2>&1
if grep -E '"level":(40|50|60)|warning|generated the demo genome' "$work/bare.log"; then
  die "the bare image logged warnings or generated data at runtime (see above): the demo genome must be complete in the image"
fi
# In flight during SIGTERM, two answers that must both arrive whole:
#  - A: a /batch of chromosome 11 six times (36 MB, streamed) to a client reading 10 MB/s: the
#    server is still writing it when the SIGTERM comes;
#  - B: chromosome 11 once (6 MB) to a client reading 2 MB/s: the SIGTERM is sent only once the
#    server has logged B as answered, so B's tail is still in socket buffers (the server's, the
#    docker proxy's, curl's). A server that exits as soon as it has written everything loses that
#    tail when the container's network goes away with it (a CI run showed it).
curl -sS --fail --limit-rate 10M -o "$work/inflight.fa" -H 'content-type: application/json' \
  -d '{"regions":["11","11","11","11","11","11"]}' "$url/batch?format=fasta" & inflight=$!
curl -sS --fail --limit-rate 2M -o "$work/tail.txt" "$url/chrom/11/range?start=0&end=6000000" & tail_pid=$!
for _ in $(seq 100); do
  docker logs "$bare" 2>&1 | grep -q '"url":"/chrom/11/range?start=0&end=6000000","status":200' && break
  sleep 0.1
done
docker logs "$bare" 2>&1 | grep -q '"url":"/chrom/11/range?start=0&end=6000000","status":200' \
  || log "warning: answer B was not logged as written within 10 s; stopping anyway"
stop "$bare"
wait "$inflight" || die "answer A (in flight during docker stop) failed"
wait "$tail_pid" || die "answer B (written, but not yet read, at docker stop) failed"
docker logs "$bare" >"$work/bare.log" 2>&1
node -e '
  const fs = require("fs");
  const die = (m) => { console.error("check-image: ERROR: " + m); process.exit(1); };
  const t = fs.readFileSync(process.argv[1], "latin1");
  const i = t.indexOf(">11 ");
  const seq = t.slice(t.indexOf("\n", i) + 1, t.indexOf("\n>", i)).replaceAll("\n", "");
  const got = fs.readFileSync(process.argv[2], "latin1").split("\n").filter((l) => !l.startsWith(">")).join("");
  if (got !== seq.repeat(6)) die("answer A differs from the file (" + got.length + " bases)");
  const tail = fs.readFileSync(process.argv[4], "latin1");
  if (tail !== seq) die("answer B differs from the file (" + tail.length + " bases)");
  const log = fs.readFileSync(process.argv[3], "utf8").split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  const term = log.find((l) => l.signal === "SIGTERM");
  const answered = log.find((l) => l.url === "/batch?format=fasta" && l.status === 200);
  // Informational: the log format belongs to the app and may change.
  const after = term && answered ? answered.time - term.time : undefined;
  const when = after === undefined ? "(no SIGTERM or /batch line found in the log)" : "A answered " + Math.abs(after) + " ms " + (after >= 0 ? "after" : "BEFORE") + " the SIGTERM";
  console.error("check-image: the answers in flight during docker stop arrived whole: A " + got.length + " bases, B " + tail.length + " bases, as in the file; " + when);
' "$work/demo.fa" "$work/inflight.fa" "$work/bare.log" "$work/tail.txt"

# 2. A test genome on a read-only volume.
genome="$work/genome"
node docker/oracle.mjs make "$genome" "${SEED:-}"
chmod 755 "$work" "$genome" && chmod 644 "$genome"/*   # readable by the image's node user (uid 1000)
vol=seqserve-check-vol-$$
start "$vol" -v "$genome:/data:ro" -e SEQSERVE_DATA=/data
vol_healthy=$healthy_s
node docker/oracle.mjs check "$url" "$genome"
docker logs "$vol" >"$work/vol.log" 2>&1
grep -q 'built index for /data/test.fa in memory' "$work/vol.log" \
  || die "expected the in-memory .fai warning for the read-only volume in the log"
[ ! -e "$genome/test.fa.fai" ] || die "something wrote into the read-only volume"
stop "$vol"

# 3. --lock: refused without the privilege (one line, exit 1), locked with it.
nolock=seqserve-check-nolock-$$
containers+=("$nolock")
if docker run --name "$nolock" --read-only --tmpfs /tmp --ulimit memlock=1048576:1048576 -e SEQSERVE_LOCK=all "$image" \
  >"$work/nolock.out" 2>"$work/nolock.err"; then
  die "--lock started under a 1 MiB memlock limit without CAP_IPC_LOCK"
fi
[ "$(docker inspect -f '{{.State.ExitCode}}' "$nolock")" = 1 ] || die "the refused --lock did not exit 1"
[ "$(wc -l <"$work/nolock.err")" = 1 ] && grep -q 'asks to lock .* --cap-add IPC_LOCK --ulimit memlock=-1' "$work/nolock.err" \
  || { cat "$work/nolock.err" >&2; die "the refused --lock did not say it in one line with the way to grant it"; }
log "--lock without the privilege: $(cat "$work/nolock.err")"
# check_locked NAME HOW [docker run options...]: starts with SEQSERVE_LOCK=all; every byte locked and resident.
check_locked() {
  local name=$1 how=$2; shift 2
  start "$name" -e SEQSERVE_LOCK=all "$@"
  curl -sS --fail "$url/readyz" >"$work/readyz.json" || die "GET /readyz failed"
  HOW=$how node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const { lock, assemblies } = r.residency;
  const ok = lock.state === "locked" && lock.bytes === r.mappedBytes && assemblies.every((a) => a.locked && a.residentBytes === a.mappedBytes);
  if (!ok) { console.error("check-image: ERROR: --lock in a container: " + JSON.stringify(r.residency)); process.exit(1); }
  console.error("check-image: --lock with " + process.env.HOW + ": " + lock.bytes + " bytes locked, every assembly resident");
' "$work/readyz.json"
  stop "$name"
}
# As documented. A dockerd without CAP_SYS_RESOURCE (these VMs) may not raise the hard limit:
# then the same two ways are checked apart, each within what the host allows.
if docker run --rm --ulimit memlock=-1 --entrypoint true "$image" 2>"$work/ulimit.err"; then
  check_locked "seqserve-check-lock-$$" "--cap-add IPC_LOCK --ulimit memlock=-1" --cap-add IPC_LOCK --ulimit memlock=-1
else
  log "this host's dockerd cannot raise the memlock hard limit ($(grep -o 'error setting rlimit[^:]*: operation not permitted' "$work/ulimit.err" || tail -n1 "$work/ulimit.err")); checking the ulimit and the capability apart"
  check_locked "seqserve-check-lock-ulimit-$$" "--ulimit memlock=8 MiB (the image's user, no capability)" --ulimit memlock=8388608:8388608
  check_locked "seqserve-check-lock-cap-$$" "--user 0 --cap-add IPC_LOCK under a 1 MiB memlock ulimit" --user 0 --cap-add IPC_LOCK --ulimit memlock=1048576:1048576
fi
# A capability does not reach the image's non-root user (no ambient capabilities): the ulimit is what counts.
nocap=seqserve-check-nocap-$$
containers+=("$nocap")
if docker run --name "$nocap" --read-only --tmpfs /tmp --cap-add IPC_LOCK --ulimit memlock=1048576:1048576 -e SEQSERVE_LOCK=all "$image" \
  >/dev/null 2>"$work/nocap.err"; then
  die "--cap-add IPC_LOCK alone was expected not to reach the image's user node"
fi
log "--cap-add IPC_LOCK alone, as the image's user node, under a 1 MiB memlock ulimit: refused, as README says"

log "OK: image $((size / 1000000)) MB; healthy after ${bare_healthy}s bare, ${vol_healthy}s with a volume; read-only runs answer as the files say; --lock refused and granted as documented; SIGTERM exits 0"
