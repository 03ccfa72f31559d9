# SPDX-License-Identifier: MIT
# opendxg top-level entry points.  The README's two commands are
# `make demo` (the main job) and `make check` (every test).

KREL    := $(shell scripts/kernel-release.sh 2>/dev/null)
KDIR    ?= /usr/src/linux-headers-$(KREL)
REL     := build/rel
ASAN    := build/asan
MODULE  := driver/dxgkrnl.ko

.PHONY: all setup build userspace module demo check bench fuzz-driver fuzz-host soak clean help deb dkms-install dkms-uninstall

all: build

help:
	@echo "make demo   - build everything, start dxghost, boot a guest under QEMU and run a GPU workload in it"
	@echo "make check  - build everything and run all tests (unit, host, static checks, VM tests)"
	@echo "make bench  - build, then run the benchmarks (ratios vs this machine; docs/performance.md)"
	@echo "make build  - build user space (build/rel, build/asan) and the kernel module"
	@echo "make fuzz-driver [FUZZ_SECONDS=N] [FUZZ_SEED=S] - the driver fuzzer's long run in a VM, per kernel line"
	@echo "make soak [SOAK_SECONDS=N] - two VMs of looping mixed workloads for an hour (default), memory/fds/throughput checked"
	@echo "make fuzz-host [FUZZ_SECONDS=N] [FUZZ_CPU=1] - the host's libFuzzer targets at once, N s each (default 3600; of CPU time with FUZZ_CPU=1), with figures"
	@echo "make setup  - install missing Debian packages"
	@echo "make deb    - build the Debian packages into build/pkg/debs (docs/packaging.md)"
	@echo "make dkms-install [DKMS_KERNELS='REL...'] - (root) install dxgkrnl through DKMS"
	@echo "make dkms-uninstall - (root) remove it from DKMS"

setup:
	@scripts/setup.sh

$(REL)/build.ninja:
	meson setup $(REL) -Dguest_static=true --buildtype=release

$(ASAN)/build.ninja:
	meson setup $(ASAN) -Db_sanitize=address,undefined -Db_lundef=false

userspace: $(REL)/build.ninja $(ASAN)/build.ninja
	ninja -C $(REL)
	ninja -C $(ASAN)

# driver/dxgkrnl.ko for the default kernel line (make demo, make bench), then
# the module of every kernel line out of tree in build/kmod/<release>/
# (scripts/build-module.sh; the VM tests take it from there).
# Re-evaluate KREL after setup may have installed the headers.
module:
	$(MAKE) -C $(if $(KREL),$(KDIR),/usr/src/linux-headers-$$(scripts/kernel-release.sh)) \
		M=$(CURDIR)/driver W=1 KCFLAGS=-Werror modules
	scripts/build-module.sh --all --quiet

build: setup
	$(MAKE) userspace module

demo: build
	tools/run-demo.sh

check: build
	tests/run-all.sh

bench: build
	bench/run.sh

# The driver fuzzer's long run (docs/reliability.md): FUZZ_SECONDS per kernel
# line (default an hour), FUZZ_SEED to replay a run.
FUZZ_SECONDS ?= 3600
fuzz-driver: build
	for line in $$(scripts/kernel-release.sh --lines); do \
	  DXG_DRIVER_FUZZ_SECONDS=$(FUZZ_SECONDS) DXG_DRIVER_FUZZ_SEED=$(FUZZ_SEED) \
	    tests/vm/run-vm-tests.sh --line $$line --scenario fuzz || exit 1; \
	done

# The soak's long run (docs/reliability.md): two VMs of looping workloads
# for SOAK_SECONDS (default an hour) on the default kernel line.
SOAK_SECONDS ?= 3600
soak: build
	DXG_SOAK_SECONDS=$(SOAK_SECONDS) tests/vm/run-vm-tests.sh --scenario soak

# The host's libFuzzer targets (tests/fuzz/), all at once, FUZZ_SECONDS each;
# the corpus grows in build/fuzz/corpus-<target> from run to run.  Needs
# only clang (docs/reliability.md §3); run it under `nice -n 19` on a
# shared machine.
fuzz-host:
	tests/fuzz/run-fuzz.sh --parallel $(if $(FUZZ_CPU),--cpu) $(FUZZ_SECONDS)

# Packaging (docs/packaging.md).  DKMS_KERNELS: the kernel releases to build
# for (default: the running kernel).
deb: setup
	scripts/build-debs.sh

dkms-install:
	scripts/dkms.sh install $(foreach k,$(DKMS_KERNELS),-k $(k))

dkms-uninstall:
	scripts/dkms.sh remove

clean:
	rm -rf build
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/driver clean
