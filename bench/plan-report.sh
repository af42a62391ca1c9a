#!/usr/bin/env bash
# Planning report: ingest every PDF of the corpus plus synthetic 300- and 500-page reports into a fresh
# QUIRE_HOME, then plan one question over every document (quire plan --all) at the model's context and at a
# tighter one. Prints per document: pages, strategy, calls, pages at full resolution / as thumbnails / skipped,
# peak tokens vs context, planning time, and time with loading pages + storing the plan.
#   bench/plan-report.sh [CORPUS_DIR=../shared/corpus]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../bin/java-home.sh
source "$here/bin/java-home.sh"
cd "$here"
corpus=${1:-$here/../shared/corpus}
out="$here/bench/out/plan"
rm -rf "$out" && mkdir -p "$out/docs"
./mvnw -B -q -DskipTests install >&2
./mvnw -B -q test-compile -pl layout >&2
cp_file=$(mktemp)
./mvnw -B -q dependency:build-classpath -pl layout -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >&2
cp="$here/layout/target/test-classes:$here/layout/target/classes:$here/vlm-core/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
"$JAVA_HOME/bin/java" -cp "$cp" "$here/bench/SyntheticDocs.java" "$out/docs" 300 500
cp "$corpus"/*.pdf "$out/docs/"
export QUIRE_HOME="$out/home"
start=$(date +%s)
./quire ingest "$out/docs" | tail -n 2
echo "ingest took $(( $(date +%s) - start )) s"
q="What was the total reported for the year, and on which page is it stated?"
echo; echo "== plan at the model's context (131072) =="
./quire plan --all --question "$q" || true
echo; echo "== plan at a 32768-token context =="
./quire plan --all --question "$q" --context 32768 || true
echo; echo "== plan at an 8192-token context =="
./quire plan --all --question "$q" --context 8192 || true
