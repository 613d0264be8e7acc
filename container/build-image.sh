#!/usr/bin/env bash
# Builds the container image named in container/IMAGE (dfstree/dfstree:0.1.0) from target/dfstree.jar, with podman and
# no image registry:
#   1. base image dfstree-base:<key>: Debian bookworm's few packages the runtime needs (libc, libstdc++,
#      zlib, dash for `sh -c` in the k8s manifests), unpacked by `mmdebstrap --variant=extract`, plus a
#      jlink'd Java runtime (from the JDK running this script), imported with `podman import`. Made once and
#      cached: as an image in podman's store, and as a tarball in $DFSTREE_IMAGE_CACHE
#      (default ~/.cache/dfstree-image, outside the repository). <key> hashes what goes into the
#      base (this script's base recipe, the JDK's version, the module list), so a change rebuilds it.
#   2. the application image: container/Containerfile (COPY of the jar) on that base.
# Needs root (mmdebstrap, podman), and `apt-get install podman runc mmdebstrap` (.ci/run does).
#   container/build-image.sh [JAR]      # prints the image name on its last line
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${1:-target/dfstree.jar}
# the name the k8s manifests run (container/IMAGE; ManifestsTest holds them to it)
IMAGE=${DFSTREE_IMAGE:-$(cat container/IMAGE)}
CACHE=${DFSTREE_IMAGE_CACHE:-$HOME/.cache/dfstree-image}
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# what the jar needs (Vert.x, Netty, Hazelcast, Jackson, Micrometer, logback), no more
MODULES=java.base,java.desktop,java.logging,java.management,java.naming,java.net.http,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.management,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs
# the Debian packages of the base (unpacked only; their dependencies come along)
PACKAGES=base-files,dash,libc6,libgcc-s1,libstdc++6,zlib1g
PODMAN=(podman --runtime runc --cgroup-manager=cgroupfs)

[ -f "$JAR" ] || { echo "error: $JAR missing (mvn -B package -DskipTests)" >&2; exit 1; }
[ -d "$JAVA_HOME/jmods" ] || { echo "error: $JAVA_HOME has no jmods/ (need a full JDK for jlink)" >&2; exit 1; }

# podman on these machines: no rlimits for containers (see /work/shared/containers.md)
if [ ! -f /etc/containers/containers.conf.d/no-ulimits.conf ] && [ -w /etc ]; then
  mkdir -p /etc/containers/containers.conf.d
  printf '[containers]\ndefault_ulimits = []\n' > /etc/containers/containers.conf.d/no-ulimits.conf
fi

JAVA_VERSION=$("$JAVA_HOME/bin/java" -version 2>&1 | head -1)
KEY=$( { sed -n '/^# BASE RECIPE/,/^# END BASE RECIPE/p' "$0"; echo "$SUITE $PACKAGES $MODULES $JAVA_VERSION"; } | sha256sum | cut -c1-12)
BASE=localhost/dfstree-base:$KEY
mkdir -p "$CACHE"

# BASE RECIPE
if "${PODMAN[@]}" image exists "$BASE"; then
  echo "base $BASE: in podman's store"
elif [ -f "$CACHE/base-$KEY.tar" ]; then
  echo "base $BASE: importing cached $CACHE/base-$KEY.tar"
  "${PODMAN[@]}" import --change 'ENV PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$CACHE/base-$KEY.tar" "$BASE" >/dev/null
else
  echo "base $BASE: building (mmdebstrap $SUITE extract + jlink; a few minutes, once)"
  started=$(date +%s)
  work=$(mktemp -d "$CACHE/build.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  # only unpacked, no maintainer scripts: what the jlink'd java (ldd: libc, libm, libz, libstdc++,
  # libgcc_s) and the manifests' `sh -c` need. On the shared 2-core machine at load 35-50, from
  # deb.debian.org: debootstrap minbase (~90 packages, each configured) 1537 s, mmdebstrap minbase
  # 1082 s (those two side by side), this 281 s (alone, 10 min later); 30 MB instead of 206 MB
  mmdebstrap --variant=extract --include="$PACKAGES" "$SUITE" "$work/rootfs" "$MIRROR" > "$work/mmdebstrap.log" 2>&1 \
    || { tail -20 "$work/mmdebstrap.log" >&2; exit 1; }
  "$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files \
    --compress=2 --output "$work/rootfs/opt/java"
  ln -sf /opt/java/bin/java "$work/rootfs/usr/bin/java"
  # what base-passwd's script would have made: users for getpwuid (no linker cache is needed: the
  # libraries are in the multiarch directories ld.so searches by default)
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$work/rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$work/rootfs/etc/group"
  # no package caches or docs in the image
  rm -rf "$work/rootfs"/var/cache/apt/archives/*.deb "$work/rootfs"/var/lib/apt/lists/* \
    "$work/rootfs"/usr/share/doc/* "$work/rootfs"/usr/share/man/* "$work/rootfs"/usr/share/locale/*
  mkdir -p "$work/rootfs/var/lib/dfstree" "$work/rootfs/tmp"
  chmod 1777 "$work/rootfs/tmp"
  tar -C "$work/rootfs" -cf "$CACHE/base-$KEY.tar.part" . && mv "$CACHE/base-$KEY.tar.part" "$CACHE/base-$KEY.tar"
  "${PODMAN[@]}" import --change 'ENV PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$CACHE/base-$KEY.tar" "$BASE" >/dev/null
  echo "base $BASE: built in $(( $(date +%s) - started )) s ($(du -h "$CACHE/base-$KEY.tar" | cut -f1) tarball)"
fi
# END BASE RECIPE

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp container/Containerfile "$ctx/Containerfile"
cp "$JAR" "$ctx/dfstree.jar"
previous=$("${PODMAN[@]}" image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
"${PODMAN[@]}" build --pull=never --network host --build-arg "BASE=$BASE" -t "$IMAGE" -f "$ctx/Containerfile" "$ctx" >/dev/null
current=$("${PODMAN[@]}" image inspect --format '{{.Id}}' "$IMAGE")
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
  "${PODMAN[@]}" rmi "$previous" >/dev/null 2>&1 || true   # the build it replaces (kept while a container uses it)
fi
echo "image $IMAGE ($("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMAGE") bytes) on base $BASE"
echo "$IMAGE"
