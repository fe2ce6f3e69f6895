#!/bin/sh
# The container image, built for real from the Dockerfile (scripts/container.sh: buildah, a
# base made by mmdebstrap, no registry), then checked from its own root filesystem: the
# configured entry point, started as docker starts it, powers the guest off cleanly under
# `docker stop` timing (docker-stop.sh --root: SIGTERM, QEMU status 99, inside 10 s); the
# stop signal is SIGTERM; the image stays within its size bound. Containers cannot be run by
# podman on every machine (cgroups, rlimits), so the root is mounted and chrooted instead.
. "$(dirname "$0")/../lib.sh"
size_limit_mb=400

[ "$(id -u)" = 0 ] || t_skip "building and mounting the image needs root"
for tool in buildah mmdebstrap unshare; do
	command -v $tool >/dev/null || t_abort "$tool is missing (as root: scripts/deps.sh container)"
done
echo "building the image (scripts/container.sh; log $T_DIR/build.log)"
"$SOFTOFF_TOP/scripts/container.sh" --iidfile "$T_DIR/iid" >"$T_DIR/build.log" 2>&1 || {
	tail -n 30 "$T_DIR/build.log"
	t_abort "scripts/container.sh failed"
}
tail -n 1 "$T_DIR/build.log"
image=$(cat "$T_DIR/iid")

config() { buildah inspect --type image --format "{{$1}}" "$image"; }
entrypoint=$(config 'range .OCIv1.Config.Entrypoint}}{{.}} {{end')
workdir=$(config .OCIv1.Config.WorkingDir)
t_that "the image has an entry point ($entrypoint)" '[ -n "$entrypoint" ]'
t_that "its stop signal is SIGTERM" '[ "$(config .OCIv1.Config.StopSignal)" = SIGTERM ]'

container=$(buildah from --pull=never "$image") || t_abort "buildah from $image failed"
trap 'buildah rm "$container" >/dev/null 2>&1; t_cleanup' EXIT
root=$(buildah mount "$container") || t_abort "buildah mount $container failed"

# What takes the space: the largest packages, then softoff's own files.
dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Installed-Size} ${Package}\n' |
	sort -rn | head -n 8 | awk '{ printf "  %6.1f MB  %s\n", $1 / 1024, $2 }'
du -sh "$root/opt/softoff" 2>/dev/null | sed "s|$root||;s/^/  /"
mb=$(($(du -sb "$root" | cut -f1) / 1000000))
t_that "image root is $mb MB (limit $size_limit_mb)" '[ "$mb" -le "$size_limit_mb" ]'

# shellcheck disable=SC2086 # the entry point's words, as the image lists them
if "$SOFTOFF_TOP/tests/integration/docker-stop.sh" --root "$root" --workdir "${workdir:-/}" \
	$entrypoint >"$T_DIR/stop.log" 2>&1; then
	t_ok "$(tail -n 1 "$T_DIR/stop.log" | sed 's/^PASS //') (from the image's root)"
else
	cat "$T_DIR/stop.log"
	t_fail "the image's entry point under docker stop timing"
fi
t_done
