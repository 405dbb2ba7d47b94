# shellcheck shell=sh
# Finds the JDK 21+ that kafka-dedup builds and runs with. Sourced (POSIX sh) by ./mvnw, ./demo, ./kafka-dedup
# and .ci/run, so that all four choose the same JDK:
#   1. JAVA_HOME, when it is a JDK 21+;
#   2. else the newest JDK 21+ in /usr/lib/jvm, /Library/Java/JavaVirtualMachines, ~/.sdkman/candidates/java
#      or ~/.jdks (where Linux packages, macOS installers, SDKMAN! and IntelliJ put them);
#   3. else the java on the PATH, when it is a JDK 21+.
# find_jdk prints the JDK's home (exit 0) or nothing (exit 1); find_jdk_failure prints the one-line error.
# Globbing must be on (./mvnw runs with set -f: it calls these in a subshell after set +f).

FIND_JDK_MINIMUM=21

# The feature version of the JDK at home $1 (25 for 25.0.1), or 0 when it is no JDK (no javac). Read from the
# JDK's release file, so that no JVM starts just to say its version; a JDK without one (rare) is asked.
jdk_major() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || { echo 0; return 0; }
  if [ -r "$1/release" ]; then
    _jdk_v="$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release")"
  else
    _jdk_v="$("$1/bin/java" -XshowSettings:properties -version 2>&1 \
      | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1)"
  fi
  case "$_jdk_v" in '' | *[!0-9]*) echo 0 ;; 1) echo 0 ;; *) echo "$_jdk_v" ;; esac
}

find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ "$(jdk_major "$JAVA_HOME")" -ge "$FIND_JDK_MINIMUM" ]; then
    echo "$JAVA_HOME"
    return 0
  fi
  _jdk_best="" _jdk_best_major=0
  for _jdk_home in /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home \
    "${HOME:-/nonexistent}"/.sdkman/candidates/java/* "${HOME:-/nonexistent}"/.jdks/*; do
    [ -d "$_jdk_home" ] || continue
    _jdk_major="$(jdk_major "$_jdk_home")"
    if [ "$_jdk_major" -ge "$FIND_JDK_MINIMUM" ] && [ "$_jdk_major" -gt "$_jdk_best_major" ]; then
      _jdk_best="$_jdk_home" _jdk_best_major="$_jdk_major"
    fi
  done
  if [ -n "$_jdk_best" ]; then
    echo "$_jdk_best"
    return 0
  fi
  if command -v javac >/dev/null 2>&1; then
    _jdk_home="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
    if [ "$(jdk_major "$_jdk_home")" -ge "$FIND_JDK_MINIMUM" ]; then
      echo "$_jdk_home"
      return 0
    fi
  fi
  return 1
}

# The error when find_jdk finds nothing, one line; $1 names the command that needs the JDK.
find_jdk_failure() {
  echo "$1: no JDK $FIND_JDK_MINIMUM+ found (looked at JAVA_HOME=${JAVA_HOME:-<unset>}, /usr/lib/jvm/*," \
    "/Library/Java/JavaVirtualMachines/*, ~/.sdkman/candidates/java/*, ~/.jdks/* and the javac on the PATH);" \
    "install one (JDK 25 recommended, e.g. Temurin) or set JAVA_HOME to one."
}
