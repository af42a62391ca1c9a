#!/usr/bin/env bash
# Builds Quire's container image to a tarball under batch/target/image/, without a Docker daemon or a registry:
#   deploy/build-image.sh           quire:0.1.0       (CPU)
#   deploy/build-image.sh --gpu     quire:0.1.0-cuda  (the -Pgpu build: libtorch's CUDA natives and the CUDA runtime
#                                   jars; stops with exit 3 while Maven Central lacks cuBLAS/cuDNN/cuSOLVER/cuSPARSE)
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

# 1. the application. Which build is packaged is read from what is there (libtorch's gpu natives or not, and for the
#    the CUDA runtime jars of vlm-core's gpu profile), not from a marker that a later plain `./mvnw package` would leave stale.
packaged() {
  local lib=batch/target/quarkus-app/lib/main
  [[ -f batch/target/quarkus-app/quarkus-run.jar ]] || { echo none; return; }
  if compgen -G "$lib/org.bytedeco.pytorch-*-linux-x86_64-gpu.jar" >/dev/null; then
    if compgen -G "$lib/org.bytedeco.cuda-redist-*-linux-x86_64.jar" >/dev/null; then echo gpu; else echo gpu-without-cuda; fi
  else
    echo cpu
  fi
}
want=$($gpu && echo gpu || echo cpu)
if [[ "$(packaged)" != "$want" ]]; then
  echo "build-image: packaging the application ($want; packaged now: $(packaged))…"
  ./mvnw -B -q -pl batch -am package -DskipTests "${profile[@]}"
  [[ "$(packaged)" == "$want" ]] || { echo "build-image: the $want build did not come out ($(packaged)): batch/target/quarkus-app/lib/main" >&2; exit 1; }
fi

# The CUDA image must carry every CUDA library libtorch_cuda.so links against (the node's container toolkit mounts
# only the driver). Maven Central serves JavaCPP's cuda-redist jar (cudart, cuFFT, cuRAND, nvrtc, nvJitLink, …) but
# not the cuda-redist-cublas/-cudnn/-cusolver/-cusparse jars that hold the rest, so such an image would load no CUDA
# at all and silently run on the CPU. Refuse instead of building it (see k8s/README.md, "The image").
if $gpu; then
  missing=()
  for l in libcublas.so.12 libcublasLt.so.12 libcudnn.so.9 libcusparse.so.12 libcusolver.so.11 libcudart.so.12; do
    found=false
    for j in batch/target/quarkus-app/lib/main/org.bytedeco.cuda-redist*-linux-x86_64.jar; do
      [[ -f "$j" ]] && unzip -l "$j" "org/bytedeco/cuda/linux-x86_64/$l" >/dev/null 2>&1 && { found=true; break; }
    done
    $found || missing+=("$l")
  done
  if (( ${#missing[@]} )); then
    echo "build-image: the CUDA image would lack ${missing[*]} (libtorch_cuda.so needs them; the packaged -Pgpu" >&2
    echo "  application has only the cuda-redist jars that Maven Central serves: cuBLAS, cuDNN, cuSOLVER and cuSPARSE" >&2
    echo "  come in org.bytedeco:cuda-redist-{cublas,cudnn,cusolver,cusparse}:\$cuda.version:linux-x86_64, which it does" >&2
    echo "  not serve). Not building $image: it would run on the CPU only." >&2
    exit 3
  fi
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
