#!/bin/sh
# `make deb`: two packages built by Debian's own tools from debian/, checked by lintian and
# for where each file lands. The build leaves nothing in the source tree outside build/.
. "$(dirname "$0")/../lib.sh"
command -v dpkg-buildpackage >/dev/null && command -v lintian >/dev/null ||
	t_skip "dpkg-dev or lintian missing (scripts/deps.sh deb)"
need_debs
echo "sizes: $(stat -c '%n %s' "$T_DEB_AGENT" "$T_DEB_QEMU" | sed 's|.*/||' | tr '\n' ' ')"

# lintian: no error and no warning left (the rest is overridden in debian/*.lintian-overrides)
lintian "$T_DEB_AGENT" "$T_DEB_QEMU" >"$T_DIR/lintian" 2>&1
lintian_rc=$?
sed 's/^/    lintian: /' "$T_DIR/lintian"
t_that "lintian ran (status $lintian_rc)" '[ $lintian_rc = 0 ]'
t_that "lintian: no errors or warnings" '! grep -q "^[EW]: " "$T_DIR/lintian"'

# file names without dh_compress's .gz (whether a doc is compressed depends on its size)
contents() { dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's|^\./|/|; s|\.gz$||'; }
contents "$T_DEB_AGENT" >"$T_DIR/agent.files"
contents "$T_DEB_QEMU" >"$T_DIR/qemu.files"
for f in /usr/sbin/softoff-agent /etc/softoff/agent.conf /etc/softoff/hooks.d/ \
	/usr/share/softoff/acpi-scripts/busybox/PWRF/00000080 \
	/usr/share/softoff/acpi-scripts/acpid2/events/softoff-power \
	/usr/share/initramfs-tools/hooks/softoff /usr/share/initramfs-tools/scripts/init-top/softoff \
	/usr/share/initramfs-tools/scripts/init-bottom/softoff /usr/lib/softoff/agent-ctl \
	/usr/lib/dracut/modules.d/90softoff/module-setup.sh \
	/usr/share/man/man8/softoff-agent.8 /usr/share/man/man5/softoff-agent.conf.5 \
	/usr/share/doc/softoff-agent/copyright /usr/share/doc/softoff-agent/install.md; do
	t_check "softoff-agent ships $f" grep -qxF "$f" "$T_DIR/agent.files"
done
for f in /usr/bin/softoff-qemu /lib/systemd/system/softoff-vm@.service \
	/usr/share/man/man1/softoff-qemu.1 /usr/share/doc/softoff-qemu/copyright; do
	t_check "softoff-qemu ships $f" grep -qxF "$f" "$T_DIR/qemu.files"
done

dpkg-deb -e "$T_DEB_AGENT" "$T_DIR/agent.ctl"
dpkg-deb -e "$T_DEB_QEMU" "$T_DIR/qemu.ctl"
t_check "the config is a conffile" grep -qxF /etc/softoff/agent.conf "$T_DIR/agent.ctl/conffiles"
t_that "softoff-qemu depends on qemu-system-x86" \
	'dpkg-deb -f "$T_DEB_QEMU" Depends | grep -q "qemu-system-x86"'
t_that "installing softoff-agent rebuilds the initramfs (trigger)" \
	'grep -q update-initramfs "$T_DIR/agent.ctl/triggers"'
t_that "the softoff-vm@ template is not enabled on installation" \
	'! grep -qs "softoff-vm" "$T_DIR/qemu.ctl/postinst"'
t_that "debian/copyright is machine-readable" \
	'dpkg-deb --fsys-tarfile "$T_DEB_AGENT" | tar -xOf - ./usr/share/doc/softoff-agent/copyright | head -n 1 | grep -q "^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"'

# The guest's systemd service and shutdown hook, once the tree has them.
if [ -f "$SOFTOFF_TOP/contrib/systemd/softoff-agent.service" ]; then
	t_check "softoff-agent ships its service" grep -qxF /lib/systemd/system/softoff-agent.service "$T_DIR/agent.files"
	t_that "the agent's service is enabled on installation" \
		'grep -q "deb-systemd-helper.*enable.*softoff-agent.service" "$T_DIR/agent.ctl/postinst"'
else
	echo "note: contrib/systemd/softoff-agent.service is not in this tree: not packaged"
fi
if [ -f "$SOFTOFF_TOP/contrib/systemd/system-shutdown/softoff" ]; then
	t_check "softoff-agent ships the systemd-shutdown executable" \
		grep -qxF /usr/lib/systemd/system-shutdown/softoff "$T_DIR/agent.files"
fi

# dpkg-buildpackage ran in a copy under build/: nothing beside or inside the tree
t_that "no build output beside the source tree" \
	'! ls "$SOFTOFF_TOP"/../softoff*_*.deb "$SOFTOFF_TOP"/../softoff*.changes >/dev/null 2>&1'
t_that "no debhelper output in the source tree's debian/" \
	'[ ! -e "$SOFTOFF_TOP/debian/files" ] && [ ! -e "$SOFTOFF_TOP/debian/softoff-agent" ] && [ ! -e "$SOFTOFF_TOP/debian/.debhelper" ]'
t_done
