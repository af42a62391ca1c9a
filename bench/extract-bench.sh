#!/usr/bin/env bash
# Extraction throughput of the platform with the built-in demo model, in one run:
#  1. reuse: a 4-question set over single-plan documents (7 short corpus PDFs, 13 pages), run as the same job twice,
#     first with the engine's vision and prefix caches off (quire.vlm.vision-cache-bytes=0,
#     quire.vlm.prefix-cache-bytes=0), then on (defaults), each in a fresh process: documents/minute, answers/s
#     and the ratio on/off (the anchor is the off run of the same invocation);
#  2. workers (skipped with SKIP_WORKERS=1): a 3-question job over 10 corpus PDFs (64 pages) with 1 and 2
#     workers per process: documents/minute and the engine time summed over the answers vs the wall time.
# Ends with one line of key=value pairs: cache_speedup=… (on ÷ off, documents/minute over the job's wall time) and
# cpu_speedup=… (CPU seconds of the whole commands, off ÷ on: steadier than wall time on a loaded machine).
#   bench/extract-bench.sh [CORPUS_DIR=../shared/corpus]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
corpus=${1:-$here/../shared/corpus}
out="$here/bench/out/extract"
rm -rf "$out" && mkdir -p "$out/docs" "$out/short"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

# The job's own wall time (the progress bar's, printed as "N s in M answers") and its document count.
job_seconds() { grep -o '^[0-9.]* s in [0-9]* answers' "$1" | tail -1 | cut -d' ' -f1; }
job_docs() { grep -o '[0-9]*/[0-9]* documents' "$1" | tail -1 | cut -d/ -f2 | cut -d' ' -f1; }
job_answers() { grep -o '^[0-9.]* s in [0-9]* answers' "$1" | tail -1 | awk '{print $4}'; }

# ---- 1. reuse: caches off, then on -------------------------------------------------------------------------------
for f in kampo.pdf edgar-rotated90.pdf libreoffice-form.pdf korean-text-with-tables.pdf camelot-image-table.pdf \
         reliance.pdf f1040nr.pdf; do
  cp "$corpus/$f" "$out/short/"
done
cat > "$out/reuse.yaml" <<'YAML'
name: bench-reuse
questions:
  - question: What is this document about?
  - question: Which organisation published it?
  - question: What is the date on the first page?
fields:
  - name: year
    type: int
plan:
  strategy: single
  context_tokens: 32768
  answer_tokens: 24
YAML
export QUIRE_HOME="$out/home-reuse"
./quire ingest "$out/short" | tail -n 1
declare -A rate aps cpu
for mode in off on; do
  echo "== extraction, 4 questions over single-plan documents, caches $mode =="
  if [ "$mode" = off ]; then
    export QUIRE_VLM_VISION_CACHE_BYTES=0 QUIRE_VLM_PREFIX_CACHE_BYTES=0
  else
    unset QUIRE_VLM_VISION_CACHE_BYTES QUIRE_VLM_PREFIX_CACHE_BYTES
  fi
  # CPU seconds of the whole command (JVM start and model load included) beside the wall time: on a machine
  # shared with other work the wall time swings with the load, CPU time much less.
  TIMEFORMAT='%U %S'
  { time QUIRE_EXTRACT_WORKERS=1 ./quire extract --questions "$out/reuse.yaml" > "$out/reuse-$mode.log" ; } 2> "$out/reuse-$mode.time"
  tail -n 5 "$out/reuse-$mode.log"
  cpu[$mode]=$(tail -n 1 "$out/reuse-$mode.time" | awk '{ printf "%.1f", $1 + $2 }')
  s=$(job_seconds "$out/reuse-$mode.log"); d=$(job_docs "$out/reuse-$mode.log"); a=$(job_answers "$out/reuse-$mode.log")
  rate[$mode]=$(awk -v s="$s" -v d="$d" 'BEGIN { printf "%.3f", d / (s / 60) }')
  aps[$mode]=$(awk -v s="$s" -v a="$a" 'BEGIN { printf "%.3f", a / s }')
  echo "caches $mode: $d documents, $a answers in $s s: ${rate[$mode]} documents/minute, ${aps[$mode]} answers/s; ${cpu[$mode]} CPU s for the whole command"
done
unset QUIRE_VLM_VISION_CACHE_BYTES QUIRE_VLM_PREFIX_CACHE_BYTES
speedup=$(awk -v a="${rate[on]}" -v b="${rate[off]}" 'BEGIN { printf "%.2f", a / b }')
echo "caches on / off: ${speedup}x documents/minute (anchor: the caches-off run above)"
cpu_speedup=$(awk -v a="${cpu[on]}" -v b="${cpu[off]}" 'BEGIN { printf "%.2f", b / a }')
echo "CPU seconds off / on: ${cpu_speedup}x (whole commands, JVM start and model load included in both)"

# ---- 2. workers: 1 vs 2 per process ------------------------------------------------------------------------------
if [ "${SKIP_WORKERS:-0}" != 1 ]; then
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
    QUIRE_EXTRACT_WORKERS=$workers ./quire extract --questions "$out/questions.yaml" | tee "$out/extract-$workers.log" | tail -n 4
    end=$(date +%s.%N)
    docs=$(job_docs "$out/extract-$workers.log")
    awk -v s="$start" -v e="$end" -v d="$docs" 'BEGIN { printf "documents/minute (whole command, JVM start included): %.2f\n", d / ((e - s) / 60) }'
  done
fi
echo "cache_speedup=$speedup cpu_speedup=$cpu_speedup docs_per_min_off=${rate[off]} docs_per_min_on=${rate[on]} answers_per_s_off=${aps[off]} answers_per_s_on=${aps[on]} questions=4 documents=7 commit=$commit"
