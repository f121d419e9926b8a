# Makefile: builds the static arm64 lkvm binary, its unit tests, the guest images, and runs the test suites.
#
#   make              build build/lkvm (native on arm64, cross with aarch64-linux-gnu-gcc elsewhere)
#   make check        install deps if missing, unit tests, then nested/native boot tests
#   make check-unit   unit tests only (under qemu-aarch64-static on non-arm64 hosts)
#   make check-fuzz   the virtio parsers under libFuzzer for FUZZ_SECONDS (native clang)
#   make check-boot   boot tests only
#   make demo         boot a guest with --pmu and show the guest's PMU report
#   make bench        benchmarks: table + build/bench/results.json (docs/performance.md)
#   make install      install lkvm and its man page (PREFIX, DESTDIR)

HOST_ARCH := $(shell uname -m)
ifeq ($(HOST_ARCH),aarch64)
CROSS_COMPILE ?=
TEST_RUNNER ?=
else
CROSS_COMPILE ?= aarch64-linux-gnu-
TEST_RUNNER ?= qemu-aarch64-static
endif

CC := $(CROSS_COMPILE)gcc
AR := $(CROSS_COMPILE)ar
BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=
VERSION := $(shell cat VERSION)

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes \
	  -I. -D_GNU_SOURCE -DLKVM_VERSION='"$(VERSION)"' -MMD -MP
LDFLAGS += -static -pthread
LIBS := -lfdt
TEST_LIBS := -lcheck -lsubunit -lm -lrt

LIB_SRCS := $(filter-out vmm/main.c,$(wildcard vmm/*.c arm64/*.c fdt/*.c devices/*.c pmu/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_SRCS := $(wildcard tests/unit/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TEST_HELPER_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out $(TEST_SRCS),$(wildcard tests/unit/*.c)))

.SECONDARY:
.PHONY: all deps check check-unit check-fuzz check-boot demo install clean images bench
all: $(BUILD)/lkvm

deps:
	@sh scripts/install-deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/liblkvm.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/lkvm: $(BUILD)/obj/vmm/main.o $(BUILD)/liblkvm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TEST_HELPER_OBJS) $(BUILD)/liblkvm.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(TEST_LIBS)

check-unit: deps $(TEST_BINS) $(BUILD)/lkvm
	@sh tests/unit/run.sh "$(TEST_RUNNER)" $(TEST_BINS)
	@sh tests/unit/check-manpage.sh "$(TEST_RUNNER)" $(BUILD)/lkvm docs/lkvm.1
	@sh tests/unit/check-install.sh $(BUILD)

images: deps $(BUILD)/lkvm
	@sh guest-images/build.sh $(BUILD)

check-boot: images
	@sh tests/boot/run.sh $(BUILD)

# The virtqueue and virtio-mmio parsers under libFuzzer + ASan/UBSan, natively; FUZZ_SECONDS=600 for a long run.
FUZZ_SECONDS ?= 10
check-fuzz: deps
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

check: check-unit check-fuzz check-boot

demo: images
	@sh tests/boot/demo.sh $(BUILD)

bench: images
	@sh bench/run.sh $(BUILD)

install: $(BUILD)/lkvm
	install -D -m 0755 $(BUILD)/lkvm $(DESTDIR)$(PREFIX)/bin/lkvm
	install -D -m 0644 docs/lkvm.1 $(DESTDIR)$(PREFIX)/share/man/man1/lkvm.1

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
