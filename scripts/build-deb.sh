#!/bin/sh
# Builds the Debian packages softoff-agent and softoff-qemu into build/deb/ with Debian's own
# tools (debhelper, dpkg-buildpackage -b). The build runs in a copy of the tree under
# build/deb-src/, so nothing is written to the source tree outside build/.
# Usage: scripts/build-deb.sh        (the Makefile's `make deb`)
# Exit status: 0 built; 1 the build failed (its log is printed).
set -eu
cd "$(dirname "$0")/.."
top=$PWD
version=$(cat VERSION)
changelog=$(dpkg-parsechangelog -S Version)
if [ "$changelog" != "$version" ]; then
	echo "build-deb.sh: debian/changelog is at $changelog but VERSION says $version: add a changelog entry" >&2
	exit 1
fi

src=$top/build/deb-src/softoff-$version
out=$top/build/deb
rm -rf "$top/build/deb-src"
mkdir -p "$src" "$out"
tar -C "$top" --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -
log=$top/build/deb-src/build.log
echo "build-deb.sh: dpkg-buildpackage -b -us -uc in build/deb-src/softoff-$version"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc) >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	echo "build-deb.sh: dpkg-buildpackage failed (log: build/deb-src/build.log)" >&2
	exit 1
fi
rm -f "$out"/*.deb
mv "$top"/build/deb-src/*.deb "$out"/
rm -rf "$top/build/deb-src"
ls -l "$out"/*.deb | awk '{ print "build-deb.sh: " $NF ": " $5 " bytes" }'
