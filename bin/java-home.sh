# Sourced by the project's scripts: points JAVA_HOME at a JDK 25 or stops with a clear message.
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
if [[ -z "${JAVA_HOME:-}" || ! -x "${JAVA_HOME}/bin/java" || "$(java_major "$JAVA_HOME")" -lt 25 ]]; then
  JAVA_HOME=""
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25-* /usr/lib/jvm/*; do
    if [[ -x "$candidate/bin/javac" ]] && [[ "$(java_major "$candidate")" -ge 25 ]]; then
      JAVA_HOME="$candidate"
      break
    fi
  done
  if [[ -z "$JAVA_HOME" ]]; then
    echo "Quire needs a JDK 25 and found none (looked at \$JAVA_HOME and /usr/lib/jvm)." >&2
    echo "Install Temurin 25 (expected at /usr/lib/jvm/temurin-25-jdk-amd64) or set JAVA_HOME to a JDK 25." >&2
    exit 1
  fi
fi
export JAVA_HOME
