#!/usr/bin/env bash
# Scale-out on this machine, as on Kubernetes: PostgreSQL + an S3-compatible server (s3proxy) + one web process +
# `quire worker --follow` processes, each with its own QUIRE_HOME (no shared disk). The same documents are worked off
# by 1 worker, then by 3 (the first one and two more), of which the first seen mid-document is SIGTERMed and the next
# SIGKILLed, both replaced; the run checks exactly-once processing and that every blob is in the bucket, and prints
# documents/minute for 1 vs 3 workers (with the machine's load: on a loaded 2-core machine three JVMs share two cores,
# so expect no speed-up there) and the wall clock of each phase. Workers run with the default JIT; the ingest, submit
# and web processes with C1 only (-Dscale.jvm-options=… changes that).
#   bench/scale-out.sh [DOCUMENTS=6]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../bin/java-home.sh
source "$here/bin/java-home.sh"
cd "$here"
log=$(mktemp)
./mvnw -B -q -pl batch -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ScaleOutIT \
  -Dscale.documents="${1:-6}" >"$log" 2>&1 || { tail -n 60 "$log"; exit 1; }
grep '^scale-out:' "$log" || { echo "no result lines; log: $log" >&2; exit 1; }
rm -f "$log"
