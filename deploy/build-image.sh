#!/usr/bin/env bash
# Builds Quire's container image to a tarball under batch/target/image/, without a Docker daemon or a registry:
#   deploy/build-image.sh           quire:0.1.0       (CPU)
#   deploy/build-image.sh --gpu     quire:0.1.0-cuda  (the -Pgpu build: libtorch's CUDA natives)
# 1. the application is packaged (./mvnw -pl batch -am package, with -Pgpu for --gpu) unless it already is;
# 2. the base image is made once and cached under deploy/target/base/: a minimal Debian 12 root filesystem
#    (debootstrap from Debian's packages, with the fonts PDFBox substitutes and CA certificates), a Java 25 runtime
#    made with jlink from this machine's JDK at /opt/java, and the user quire (10001) — written as a `docker save`
#    tarball (no public registry base image is needed);
# 3. Jib core (deploy/, dev.quire.deploy.ImageBuild) adds the Quarkus fast-jar layers and writes the image tarball.
# Needs root for debootstrap (installed with apt when missing).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../bin/java-home.sh
source "$here/bin/java-home.sh"
cd "$here"
gpu=false
[[ "${1:-}" == "--gpu" ]] && gpu=true
prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" batch/pom.xml | head -n 1; }
if $gpu; then image=$(prop quire.image.cuda); profile=(-Pgpu); else image=$(prop quire.image); profile=(); fi
out="batch/target/image/${image/:/-}.tar"

# 1. the application (a --gpu build repackages with the CUDA natives; its marker tells which build is there)
marker=batch/target/quarkus-app/.quire-build
want=$($gpu && echo gpu || echo cpu)
if [[ ! -f batch/target/quarkus-app/quarkus-run.jar || "$(cat "$marker" 2>/dev/null)" != "$want" ]]; then
  echo "build-image: packaging the application ($want)…"
  ./mvnw -B -q -pl batch -am package -DskipTests "${profile[@]}"
  echo "$want" > "$marker"
fi

# 2. the base image
base=deploy/target/base/quire-base-bookworm-java25.tar
if [[ ! -f "$base" ]]; then
  command -v debootstrap >/dev/null || { [[ $(id -u) -eq 0 ]] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; } \
    || { echo "build-image: needs debootstrap (sudo apt-get install debootstrap)" >&2; exit 1; }
  work=deploy/target/base/work
  if [[ ! -f "$work/rootfs.done" ]]; then
    rm -rf "$work" && mkdir -p "$work"
    echo "build-image: making the base root filesystem (debootstrap bookworm, minbase; a few minutes)…"
    debootstrap --variant=minbase \
      --include=ca-certificates,fontconfig,fonts-dejavu-core,fonts-liberation2,fonts-ipafont-gothic,fonts-ipafont-mincho,libgomp1 \
      bookworm "$work/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
      || { tail -n 30 "$work/debootstrap.log"; exit 1; }
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
    touch "$work/rootfs.done"
  fi
  echo "build-image: Java runtime (jlink from $JAVA_HOME, every module of the JDK's runtime)…"
  rm -rf "$work/rootfs/opt/java"
  # (a JDK without jmods links from its own runtime, which cannot copy jlink itself: tools left out)
  modules=$("$JAVA_HOME/bin/java" --list-modules | sed 's/@.*//' | grep -Ev '^jdk\.(jlink|jpackage)$' | paste -sd, -)
  jmods=()
  [[ -d "$JAVA_HOME/jmods" ]] && jmods=(--module-path "$JAVA_HOME/jmods")
  "$JAVA_HOME/bin/jlink" "${jmods[@]}" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    --output "$work/rootfs/opt/java"
  grep -q '^quire:' "$work/rootfs/etc/passwd" || echo 'quire:x:10001:10001:Quire:/var/lib/quire:/usr/sbin/nologin' >> "$work/rootfs/etc/passwd"
  grep -q '^quire:' "$work/rootfs/etc/group" || echo 'quire:x:10001:' >> "$work/rootfs/etc/group"
  mkdir -p "$work/rootfs/var/lib/quire" && chown 10001:10001 "$work/rootfs/var/lib/quire"
  tar --numeric-owner --exclude=./rootfs.done -C "$work/rootfs" -cf "$work/layer.tar" .
  python3 - "$work" <<'PY'
import hashlib, json, os, sys
w = sys.argv[1]
h = hashlib.sha256()
with open(os.path.join(w, "layer.tar"), "rb") as f:
    for b in iter(lambda: f.read(1 << 20), b""):
        h.update(b)
config = {"architecture": "amd64", "os": "linux",
          "config": {"Env": ["PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                             "JAVA_HOME=/opt/java", "LANG=C.UTF-8"]},
          "rootfs": {"type": "layers", "diff_ids": ["sha256:" + h.hexdigest()]}}
json.dump(config, open(os.path.join(w, "config.json"), "w"))
json.dump([{"Config": "config.json", "RepoTags": ["quire-base:bookworm-java25"], "Layers": ["layer.tar"]}],
          open(os.path.join(w, "manifest.json"), "w"))
PY
  tar -C "$work" -cf "$base" manifest.json config.json layer.tar
  rm -rf "$work"
fi

# 3. the image
./mvnw -B -q -pl deploy compile
cp=$(./mvnw -B -q -pl deploy dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
"$JAVA_HOME/bin/java" -cp "deploy/target/classes:$cp" dev.quire.deploy.ImageBuild "$base" batch/target/quarkus-app "$image" "$out"
