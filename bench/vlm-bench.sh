#!/usr/bin/env bash
# VLM benchmark: vision/prefill/decode tokens/s, peak RSS and the decode-bandwidth ratio on a mid-size random
# checkpoint (written once to bench/out/mid-moe, about 0.5 GB), at float32 and bfloat16 compute in one run.
#   bench/vlm-bench.sh [DECODE_TOKENS=64] [PRECISIONS=float32,bfloat16] [IMAGE_SIDE=896; 0 = text-only prompt]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../bin/java-home.sh
source "$here/bin/java-home.sh"
cd "$here"
./mvnw -B -q -DskipTests compile -pl vlm-core -am >&2
cp_file=$(mktemp)
./mvnw -B -q dependency:build-classpath -pl vlm-core -am -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime >&2
cp="$here/vlm-core/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
exec "$JAVA_HOME/bin/java" -Xmx3g --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true -cp "$cp" \
  "$here/bench/VlmBench.java" "${1:-64}" "${2:-float32,bfloat16}" "${3:-896}"
