#!/usr/bin/env bash
# Extraction throughput of the platform with the built-in demo model: ingest a set of corpus PDFs into a fresh
# home (timed apart), then run one extraction job over them with 1 and with 2 workers per process. Prints
# documents/minute, answers/s, and the share of the job's wall time the model was busy (vision + prefill +
# decode) vs the platform's own work (rendering the planned images, planning, database, parsing).
#   bench/extract-bench.sh [CORPUS_DIR=../shared/corpus]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
corpus=${1:-$here/../shared/corpus}
out="$here/bench/out/extract"
rm -rf "$out" && mkdir -p "$out/docs"
for f in kampo.pdf edgar-rotated90.pdf libreoffice-form.pdf reliance.pdf korean-text-with-tables.pdf \
         camelot-image-table.pdf f1040nr.pdf WARN-Report.pdf tracemonkey.pdf federal-register-2020-17221.pdf; do
  cp "$corpus/$f" "$out/docs/"
done
cat > "$out/questions.yaml" <<'YAML'
name: bench
questions:
  - question: What is this document about?
  - question: Which organisation published it?
fields:
  - name: year
    type: int
plan:
  context_tokens: 4096
  answer_tokens: 32
YAML
export QUIRE_HOME="$out/home"
./quire ingest "$out/docs" | tail -n 1
for workers in 1 2; do
  echo "== extraction, quire.extract.workers=$workers =="
  start=$(date +%s.%N)
  QUIRE_EXTRACT_WORKERS=$workers ./quire extract --questions "$out/questions.yaml" | tee "$out/extract-$workers.log" | tail -n 3
  end=$(date +%s.%N)
  docs=$(grep -o '[0-9]*/[0-9]* documents' "$out/extract-$workers.log" | tail -1 | cut -d/ -f2 | cut -d' ' -f1)
  awk -v s="$start" -v e="$end" -v d="$docs" 'BEGIN { printf "documents/minute (whole command, JVM start included): %.2f\n", d / ((e - s) / 60) }'
done
