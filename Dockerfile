# softoff in a container: the same build script CI runs (scripts/build.sh), then a VM under
# `softoff-qemu run`, so `docker stop` (SIGTERM, 10 s, SIGKILL) powers the guest off cleanly.
FROM debian:bookworm
WORKDIR /src
COPY . .
RUN scripts/build.sh test && make kernel initramfs
# docker stop waits 10 s before SIGKILL: an 8 s grace leaves QEMU time to `quit` cleanly.
STOPSIGNAL SIGTERM
ENTRYPOINT ["scripts/docker-entrypoint.sh"]
