# softoff in a container: a VM under `softoff-qemu run`, so that `docker stop` (SIGTERM, then
# SIGKILL 10 s later) powers the guest off cleanly. Two stages:
#   build    the same scripts/build.sh CI runs, then the kernel and the initramfs;
#   runtime  only what `softoff-qemu run` needs: QEMU, softoff-qemu, kernel, initramfs, the
#            entry point (scripts/docker-entrypoint.sh).
# `make container` builds it without a registry: BASE is then a Debian bookworm made by
# mmdebstrap (docs/container.md). Build outputs never enter the context (.dockerignore).
ARG BASE=debian:bookworm

FROM $BASE AS build
WORKDIR /src
# Packages and the kernel first, each in a layer of its own, so that changing a source file
# rebuilds the programs only.
COPY scripts/deps.sh scripts/
RUN scripts/deps.sh build
COPY Makefile VERSION ./
COPY initramfs/fetch-kernel.sh initramfs/
RUN make kernel
COPY . .
RUN scripts/build.sh build && make initramfs

FROM $BASE
COPY scripts/deps.sh /tmp/
RUN /tmp/deps.sh run && apt-get clean && rm -rf /var/lib/apt/lists/* /tmp/deps.sh
# The entry point finds everything under its own root: scripts/.. (as in the source tree).
COPY --from=build /src/build/softoff-qemu /src/build/initramfs.cpio.gz /opt/softoff/build/
COPY --from=build /src/build/kernel/vmlinuz /opt/softoff/build/kernel/
COPY scripts/docker-entrypoint.sh /opt/softoff/scripts/
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/softoff/scripts/docker-entrypoint.sh"]
