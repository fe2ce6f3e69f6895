# softoff: one flat Makefile.  make | make check | make matrix | make demo | make bench | make container | make clean
# Build outputs go under build/ only.

B        := build
DEPS     := scripts/deps.sh
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

CC       ?= cc
MUSL_CC  := musl-gcc
WARN     := -Wall -Wextra -Werror
COMMON   := -std=gnu11 $(WARN) -Iinclude -DSOFTOFF_VERSION='"$(VERSION)"'
EVDEV_INC := -I/usr/include/libevdev-1.0

# --- the guest agent: static musl binaries, one per guest architecture -------------------
# x86_64: build/softoff-agent, with musl-tools' musl-gcc. arm64 (aarch64): build/arm64/softoff-agent,
# cross-built with the musl-gcc wrapper that musl-dev:arm64 ships (aarch64-linux-musl-gcc, over
# gcc-aarch64-linux-gnu) and libevdev-dev:arm64's libevdev.a (docs/install.md, cross-building).
AGENT_MODS   := $(filter-out agent/main.c,$(wildcard agent/*.c))
AGENT_SRCS   := $(AGENT_MODS) agent/main.c agent/compat/fortify.c
MUSL_CFLAGS  := $(COMMON) -Os -ffunction-sections -fdata-sections $(EVDEV_INC)
AGENT_LDFLAGS := -static -Wl,--gc-sections -Wl,-z,noseparate-code -s
ARM64_MUSL_CC := aarch64-linux-musl-gcc
comma := ,

# --- the host harness: glibc + jansson ------------------------------------------------
HARNESS_MODS := $(filter-out qemu-harness/main.c,$(wildcard qemu-harness/*.c))
HOST_CFLAGS  := $(COMMON) -O2 -g $(EVDEV_INC) $(EXTRA_CFLAGS)
HOST_LDFLAGS := $(EXTRA_LDFLAGS)

# --- unit tests (host, cmocka) ---------------------------------------------------------
AGENT_TESTS   := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_agent_*.c))
HARNESS_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_harness_*.c))
SHARED_TESTS  := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_shared_*.c))
UNIT_TESTS    := $(AGENT_TESTS) $(HARNESS_TESTS) $(SHARED_TESTS)
# small host programs the integration tests use (tests/tools/NAME.c -> build/tests/tools/NAME)
TEST_TOOLS    := $(patsubst tests/tools/%.c,$(B)/tests/tools/%,$(wildcard tests/tools/*.c))
# small static guest programs the integration tests put in images (tests/guest/NAME.c -> build/tests/guest/NAME)
GUEST_TOOLS   := $(patsubst tests/guest/%.c,$(B)/tests/guest/%,$(wildcard tests/guest/*.c))
GUEST_TOOLS_ARM64 := $(patsubst tests/guest/%.c,$(B)/arm64/tests/guest/%,$(wildcard tests/guest/*.c))

.PHONY: all agent-arm64 deps check unit integration matrix demo bench soak fuzz kernel initramfs deb debian-images container debian-guest clean
all: deps $(B)/softoff-agent $(B)/arm64/softoff-agent $(B)/softoff-qemu

deps:
	@$(DEPS) --check build 2>/dev/null || $(DEPS) build

# $(call agent_rules,DIR,CC,MULTIARCH[,LDFLAGS]): DIR/softoff-agent from objects in DIR/musl,
# compiled with CC against the kernel headers of Debian's MULTIARCH triplet (musl's headers have
# none: the include dir DIR/musl-include links them) and linked with that triplet's libevdev.a.
define agent_rules
$(1)/musl-include:
	mkdir -p $$@
	ln -sfn /usr/include/linux $$@/linux
	ln -sfn /usr/include/$(3)/asm $$@/asm
	ln -sfn /usr/include/asm-generic $$@/asm-generic

$(1)/musl/%.o: %.c | $(1)/musl-include
	@mkdir -p $$(@D)
	$(2) $$(MUSL_CFLAGS) -I$(1)/musl-include -MMD -MP -c $$< -o $$@

$(1)/softoff-agent: $(patsubst %.c,$(1)/musl/%.o,$(AGENT_SRCS))
	$(2) $$(AGENT_LDFLAGS) $(4) -o $$@ $$^ /usr/lib/$(3)/libevdev.a
endef
$(eval $(call agent_rules,$(B),$(MUSL_CC),x86_64-linux-gnu))
# aarch64 aligns RELRO to 64 KB pages: 23 KB of padding for a protection that only a dynamic
# loader applies (musl's static start-up does not), so the arm64 agent is linked without it.
$(eval $(call agent_rules,$(B)/arm64,$(ARM64_MUSL_CC),aarch64-linux-gnu,-Wl$(comma)-z$(comma)norelro))

agent-arm64: deps $(B)/arm64/softoff-agent

$(B)/host/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(B)/softoff-qemu: $(patsubst %.c,$(B)/host/%.o,$(HARNESS_MODS) qemu-harness/main.c)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ -ljansson

$(AGENT_TESTS): $(B)/tests/%: $(B)/host/tests/unit/%.o $(patsubst %.c,$(B)/host/%.o,$(AGENT_MODS))
	@mkdir -p $(@D)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ -levdev -lcmocka

$(HARNESS_TESTS): $(B)/tests/%: $(B)/host/tests/unit/%.o $(patsubst %.c,$(B)/host/%.o,$(HARNESS_MODS))
	@mkdir -p $(@D)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ -ljansson -lcmocka

$(SHARED_TESTS): $(B)/tests/%: $(B)/host/tests/unit/%.o
	@mkdir -p $(@D)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ -lcmocka

$(TEST_TOOLS): $(B)/tests/tools/%: $(B)/host/tests/tools/%.o
	@mkdir -p $(@D)
	$(CC) $(HOST_LDFLAGS) -o $@ $^

# a guest program on its own: one C file, static with musl (no libevdev); for arm64 guests too
MUSL_PROGRAM := $(MUSL_CC) -std=gnu11 $(WARN) -Os -static -s
ARM64_MUSL_PROGRAM := $(ARM64_MUSL_CC) -std=gnu11 $(WARN) -Os -static -s
$(GUEST_TOOLS): $(B)/tests/guest/%: tests/guest/%.c
	@mkdir -p $(@D)
	$(MUSL_PROGRAM) -o $@ $<
$(GUEST_TOOLS_ARM64): $(B)/arm64/tests/guest/%: tests/guest/%.c
	@mkdir -p $(@D)
	$(ARM64_MUSL_PROGRAM) -o $@ $<

# --- the same unit tests under ASan + UBSan, and libFuzzer targets (clang) ----------------
SAN_FLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_TESTS  := $(patsubst $(B)/tests/%,$(B)/san-tests/%,$(UNIT_TESTS))
$(B)/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -MMD -MP -c $< -o $@

$(B)/san-tests/test_agent_%: $(B)/san/tests/unit/test_agent_%.o $(patsubst %.c,$(B)/san/%.o,$(AGENT_MODS))
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) -o $@ $^ -levdev -lcmocka
$(B)/san-tests/test_harness_%: $(B)/san/tests/unit/test_harness_%.o $(patsubst %.c,$(B)/san/%.o,$(HARNESS_MODS))
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) -o $@ $^ -ljansson -lcmocka
$(B)/san-tests/test_shared_%: $(B)/san/tests/unit/test_shared_%.o
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) -o $@ $^ -lcmocka

FUZZ_CC      := clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := -std=gnu11 -Wall -Wextra -Werror -Iinclude $(EVDEV_INC) -g -O1 \
                -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZERS      := $(B)/fuzz/fuzz_agent_config $(B)/fuzz/fuzz_harness_qmp $(B)/fuzz/fuzz_harness_ktap
$(B)/fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
$(B)/fuzz/fuzz_agent_config: $(B)/fuzz/tests/fuzz/fuzz_agent_config.o $(patsubst %.c,$(B)/fuzz/%.o,$(AGENT_MODS))
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ -levdev
$(B)/fuzz/fuzz_harness_qmp: $(B)/fuzz/tests/fuzz/fuzz_harness_qmp.o $(patsubst %.c,$(B)/fuzz/%.o,$(HARNESS_MODS))
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ -ljansson
$(B)/fuzz/fuzz_harness_ktap: $(B)/fuzz/tests/fuzz/fuzz_harness_ktap.o \
		$(patsubst %,$(B)/fuzz/qemu-harness/%.o,ktap console tail clock)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^

fuzz:
	@$(DEPS) --check test 2>/dev/null || $(DEPS) test
	$(MAKE) $(FUZZERS)
	tests/fuzz/run.sh $(FUZZ_SECONDS)

# --- guest image and kernel ------------------------------------------------------------
# KERNEL_FLAVOUR=amd64: the generic kernel, in build/kernel-amd64. KERNEL_ARCH=arm64: the cloud
# arm64 kernel (an arm64 guest's), in build/kernel-arm64. KERNEL=FILE MODULES=DIR: your own
# kernel (MODULES = lib/modules/VERSION after depmod), linked into build/kernel instead.
KERNEL_ARCH    ?= amd64
KERNEL_FLAVOUR ?= cloud-$(KERNEL_ARCH)
KERNEL_DIR_cloud-amd64 := $(B)/kernel
KERNEL_DIR_cloud-arm64 := $(B)/kernel-arm64
KERNEL_DIR := $(or $(KERNEL_DIR_$(KERNEL_FLAVOUR)),$(B)/kernel-$(KERNEL_FLAVOUR))
kernel:
	@$(DEPS) --check build 2>/dev/null || $(DEPS) build
	initramfs/fetch-kernel.sh --out $(KERNEL_DIR) $(if $(KERNEL),--kernel $(KERNEL) --modules $(MODULES),--flavour $(KERNEL_FLAVOUR))

# IMAGE_FLAGS: more mkinitramfs.sh options (--module ext4, --hooks DIR, --acpid, --run CMD, ...)
# KERNEL_ARCH=arm64: build/arm64/initramfs.cpio.gz, from the arm64 agent, kernel and busybox.
ARCH_DIR_amd64 := $(B)
ARCH_DIR_arm64 := $(B)/arm64
ARCH_DIR := $(ARCH_DIR_$(KERNEL_ARCH))
initramfs: $(ARCH_DIR)/softoff-agent $(if $(filter arm64,$(KERNEL_ARCH)),$(B)/arm64/busybox) kernel
	initramfs/mkinitramfs.sh -o $(ARCH_DIR)/initramfs.cpio.gz --agent $(ARCH_DIR)/softoff-agent \
		--modules $(KERNEL_DIR)/modules $(IMAGE_FLAGS)

# Debian's busybox-static for arm64 guests, unpacked here, never installed over the host's
$(B)/arm64/busybox:
	@$(DEPS) --check build 2>/dev/null || $(DEPS) build
	initramfs/fetch-busybox.sh --arch arm64 --out $@

# A full Debian guest (bookworm minbase, systemd, udev, cloud kernel, no dbus) with softoff:
# build/debian-guest/softoff/{rootfs.img,vmlinuz,initrd.img}; the base root is cached.
debian-guest: deb
	@$(DEPS) --check test 2>/dev/null || $(DEPS) test
	debian-guest/build.sh --out $(B)/debian-guest/softoff

# --- the container image (Dockerfile), built with buildah on a Debian base that mmdebstrap
# makes (kept in build/container/): no registry needed. Needs root. See docs/container.md.
container:
	@$(DEPS) --check container 2>/dev/null || $(DEPS) container
	scripts/container.sh

# --- Debian packages: build/deb/softoff-{agent,qemu}_VERSION_amd64.deb (debian/, debhelper) ----
DEB_INPUTS := $(shell find agent include qemu-harness initramfs initramfs-tools dracut acpi-scripts \
                contrib debian docs -type f 2>/dev/null) Makefile VERSION README.md
DEBS := $(B)/deb/softoff-agent_$(VERSION)_amd64.deb $(B)/deb/softoff-qemu_$(VERSION)_amd64.deb
deb:
	@$(DEPS) --check deb 2>/dev/null || $(DEPS) deb
	$(MAKE) $(DEBS)
$(DEBS) &: $(DEB_INPUTS)
	scripts/build-deb.sh

# Images made by Debian's own initramfs-tools and dracut, with softoff-agent.deb installed, in
# throwaway mmdebstrap roots (tests/debian-image.sh; cached under build/debian/): made before
# the tests run, since the first root takes minutes. Needs root (chroot).
DEBIAN_GENERATORS := initramfs-tools dracut
debian-images: deb
	@[ "$$(id -u)" = 0 ] || { echo "debian-images: needs root; the deb-* image tests will skip"; exit 0; }; \
		$(MAKE) kernel KERNEL_FLAVOUR=amd64 && $(MAKE) -j2 $(addprefix debian-image-,$(DEBIAN_GENERATORS))
debian-image-%:
	tests/debian-image.sh $* $(word 1,$(DEBS))

# --- tests -----------------------------------------------------------------------------
check:
	@$(DEPS) --check test 2>/dev/null || $(DEPS) test
	$(MAKE) all kernel initramfs debian-guest debian-images
	$(MAKE) initramfs KERNEL_ARCH=arm64
	@# the image needs root (mmdebstrap, buildah's store); as another user its test says SKIP
	[ "$$(id -u)" != 0 ] || $(MAKE) container
	$(MAKE) $(UNIT_TESTS) $(SAN_TESTS) $(FUZZERS) $(TEST_TOOLS) $(GUEST_TOOLS) $(GUEST_TOOLS_ARM64)
	tests/run.sh

unit: all $(UNIT_TESTS) $(TEST_TOOLS)
	tests/run.sh --unit-only

# matrix: every arrangement x kernel x command line x machine boots and powers off; the table
# goes to docs/compat.md. MATRIX_FLAGS: more tests/matrix.sh options (--jobs N, --machines ...)
# Then the long data-safety cells (tests/matrix/*.sh: xfs and btrfs under a writing PID 1).
matrix:
	@$(DEPS) --check test 2>/dev/null || $(DEPS) test
	$(MAKE) all kernel
	$(MAKE) kernel KERNEL_FLAVOUR=amd64
	rc=0; tests/matrix.sh $(MATRIX_FLAGS) || rc=1; \
	for t in tests/matrix/*.sh; do echo "== $$t"; $$t || rc=1; done; exit $$rc

demo:
	@$(DEPS) --check test 2>/dev/null || $(DEPS) test
	$(MAKE) all kernel
	tests/demo.sh

# bench: guest programs (the baselines' outb, the floor's /init) static with musl; measure on the host
BENCH_BINS := $(B)/bench/outb $(B)/bench/floor-init $(B)/bench/arm64/floor-init $(B)/bench/measure
$(B)/bench/outb $(B)/bench/floor-init: $(B)/bench/%: bench/%.c
	@mkdir -p $(@D)
	$(MUSL_PROGRAM) -o $@ $<
$(B)/bench/arm64/floor-init: bench/floor-init.c
	@mkdir -p $(@D)
	$(ARM64_MUSL_PROGRAM) -o $@ $<
$(B)/bench/measure: bench/measure.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $<

bench:
	@$(DEPS) --check bench 2>/dev/null || $(DEPS) bench
	$(MAKE) all kernel debian-guest $(BENCH_BINS)
	$(MAKE) kernel KERNEL_ARCH=arm64
	bench/run.sh

SOAK_CYCLES ?= 50
soak:
	@$(DEPS) --check test 2>/dev/null || $(DEPS) test
	$(MAKE) all kernel
	tests/soak.sh $(SOAK_CYCLES)

clean:
	rm -rf $(B)

-include $(shell find $(B)/host $(B)/musl $(B)/arm64/musl $(B)/san $(B)/fuzz -name '*.d' 2>/dev/null)
