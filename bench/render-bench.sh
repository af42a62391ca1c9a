#!/usr/bin/env bash
# Rendering benchmark: Quire (PDFBox) vs pdftoppm on the corpus, same pages, same DPI, same run.
#   bench/render-bench.sh [CORPUS_DIR=../shared/corpus] [DPI=144] [ROUNDS=2]
# Needs poppler-utils (pdftoppm). Prints pages/s of both and the ratio quire/pdftoppm.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../bin/java-home.sh
source "$here/bin/java-home.sh"
command -v pdftoppm >/dev/null || { echo "render-bench: pdftoppm missing: apt-get install poppler-utils" >&2; exit 1; }
cd "$here"
./mvnw -B -q -DskipTests install -pl vlm-core,layout >&2
cp_file=$(mktemp)
./mvnw -B -q dependency:build-classpath -pl layout -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime >&2
cp="$here/layout/target/classes:$here/vlm-core/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
corpus=${1:-$here/../shared/corpus}
exec "$JAVA_HOME/bin/java" -Xmx2g -Djava.awt.headless=true -Djava.util.logging.config.file="$here/layout/src/test/resources/logging.properties" \
  -cp "$cp" "$here/bench/RenderBench.java" "$corpus" "${2:-144}" "${3:-2}"
