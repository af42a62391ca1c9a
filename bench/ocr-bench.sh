#!/usr/bin/env bash
# OCR and Office-conversion throughput beside the plain tesseract / soffice command lines, same pages, same run.
#   bench/ocr-bench.sh [ROUNDS=2]
# Needs tesseract-ocr, tesseract-ocr-eng and libreoffice-*-nogui (.ci/run installs them). Also measures Tesseract
# in the JVM through the JavaCPP preset (fetched from Maven Central for the benchmark only), the option the
# tesseract CLI was chosen over.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../bin/java-home.sh
source "$here/bin/java-home.sh"
command -v tesseract >/dev/null || { echo "ocr-bench: tesseract missing: apt-get install tesseract-ocr tesseract-ocr-eng" >&2; exit 1; }
command -v soffice >/dev/null || { echo "ocr-bench: soffice missing: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui" >&2; exit 1; }
cd "$here"
mkdir -p bench/out
./mvnw -B -q -DskipTests compile -pl layout,ingestion,test-fixtures -am >&2
cp=""
for m in layout ingestion test-fixtures; do
  ./mvnw -B -q dependency:build-classpath -pl "$m" -Dmdep.outputFile="$here/bench/out/cp-$m" -Dmdep.includeScope=runtime >&2
  cp="$cp:$here/$m/target/classes:$(cat "$here/bench/out/cp-$m")"
done
cp="$cp:$here/vlm-core/target/classes"
jcpp=(org.bytedeco:javacpp:1.5.12 org.bytedeco:javacpp:1.5.12:jar:linux-x86_64
      org.bytedeco:leptonica:1.85.0-1.5.12 org.bytedeco:leptonica:1.85.0-1.5.12:jar:linux-x86_64
      org.bytedeco:tesseract:5.5.1-1.5.12 org.bytedeco:tesseract:5.5.1-1.5.12:jar:linux-x86_64)
repo="$HOME/.m2/repository"
for a in "${jcpp[@]}"; do
  IFS=: read -r g n v _ c <<<"$a"
  jar="$repo/${g//.//}/$n/$v/$n-$v${c:+-$c}.jar"
  [[ -f $jar ]] || ./mvnw -B -q dependency:get -Dartifact="$a" -Dtransitive=false >&2
  cp="$cp:$jar"
done
exec "$JAVA_HOME/bin/java" -Xmx2g -Djava.awt.headless=true -Djava.util.logging.config.file="$here/layout/src/test/resources/logging.properties" \
  -cp "${cp#:}" "$here/bench/OcrBench.java" "${1:-2}"
