.POSIX:
.SUFFIXES:

VERSION = 0.1.0

PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
DESTDIR =

CC = cc
CFLAGS = -O2 -Wall -Wextra
# Added to every build, the static and sanitizer ones too: CI sets -Werror.
EXTRA_CFLAGS =
LDFLAGS =
BATS = bats
# Every test folder except tests/meta, whose one file must fail. The
# container tests skip, saying why, where runc cannot run.
TESTS = tests tests/container
# The README's recipes built and run with Podman: by make check (skipping,
# saying why, where Podman cannot run), not by make sanitize, whose build
# of su-exec they do not use: each image builds or fetches its own.
# ENGINE_TESTS= leaves them out.
ENGINE_TESTS = tests/engine

# Required whatever the user's CFLAGS say.
SU_CPPFLAGS = -DVERSION='"$(VERSION)"'
SU_CFLAGS = -std=c11

all: su-exec

su-exec: su-exec.c Makefile
	$(CC) $(CPPFLAGS) $(SU_CPPFLAGS) $(SU_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS) \
		$(LDFLAGS) -o $@ su-exec.c

# A stripped static twin for scratch and distroless images: musl when
# musl-gcc is there, else the system compiler. No NSS, so it needs nothing
# at run time but /etc/passwd and /etc/group.
# Size: one text segment (noseparate-code); no RELRO and a small common
# page size, as their page alignment alone pads the file by up to 4 KiB.
# A static binary resolves every address at link time: RELRO would only
# guard the init and fini arrays. Stripped of symbols (-s), but with its
# section headers, so strip, file, readelf, objdump, gdb, package builders
# and SBOM scanners take it as any other program.
# The compiler: musl-gcc when it is there, else CC. The optimisation: -Oz
# where that compiler has it, else -Os (release/size-flag).
STATIC_CC_SH = if command -v musl-gcc >/dev/null 2>&1; then cc=musl-gcc; \
	else cc="$(CC)"; fi; opt=$$(release/size-flag "$$cc")
STATIC_CFLAGS = -Wall -Wextra -fno-asynchronous-unwind-tables \
	-ffunction-sections -fdata-sections
STATIC_LDFLAGS = -static -s -Wl,--gc-sections -Wl,-z,noseparate-code \
	-Wl,-z,norelro -Wl,-z,common-page-size=16

static: su-exec-static

su-exec-static: su-exec.c Makefile release/size-flag
	$(STATIC_CC_SH); \
	$$cc $$opt $(CPPFLAGS) $(SU_CPPFLAGS) $(SU_CFLAGS) $(STATIC_CFLAGS) \
		$(EXTRA_CFLAGS) $(STATIC_LDFLAGS) -o $@.tmp su-exec.c
	mv $@.tmp $@
	@# which C library: a glibc static build works but is thirty times
	@# the size, which nobody should get unawares
	@$(STATIC_CC_SH); machine=$$($$cc -dumpmachine 2>/dev/null); \
	case $$cc:$$machine in \
	musl-gcc:* | *:*-musl*) echo "$@: linked against musl ($$cc), $$(wc -c <$@) bytes" ;; \
	*) echo "$@: linked against $$cc's C library ($$machine), $$(wc -c <$@) bytes:" \
		"with glibc that is large; musl-gcc (Debian package musl-tools) gives" \
		"the small one" >&2 ;; \
	esac

# Bytes of the stripped static build, the figure the README quotes.
size: su-exec-static
	@wc -c < su-exec-static | awk '{ printf "su-exec-static: %d bytes (%.1f KiB)\n", $$1, $$1 / 1024 }'

# The release: dist/su-exec-ARCH for every architecture, built like
# su-exec-static with Debian's cross compilers and musl, reproducibly, and
# dist/SHA256SUMS. The musl sysroots are cached under SYSROOTS (default
# ~/.cache/su-exec/sysroots). ARCHES picks a subset.
release:
	STATIC_CFLAGS="$(STATIC_CFLAGS)" STATIC_LDFLAGS="$(STATIC_LDFLAGS)" \
		VERSION="$(VERSION)" SU_CFLAGS="$(SU_CFLAGS)" \
		EXTRA_CFLAGS="$(EXTRA_CFLAGS)" release/build

# The suite against every release binary (foreign ones through qemu-user),
# the container tests too for CONTAINER_ARCHES; the last line is the total.
check-release: release
	release/test

# The release binaries' sizes as a markdown table, as the README quotes it.
release-sizes: release
	@release/sizes

# Two builds of HEAD in two folders, compared byte for byte.
reproducible:
	release/reproducible

# Sanitizers: the whole suite against an ASan and UBSan build.
SAN_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all

su-exec-asan: su-exec.c Makefile
	$(CC) $(CPPFLAGS) $(SU_CPPFLAGS) $(SU_CFLAGS) $(SAN_FLAGS) -Wall -Wextra \
		$(EXTRA_CFLAGS) -o $@ su-exec.c

sanitize: su-exec-asan su-exec-static
	SU_EXEC=$$PWD/su-exec-asan SU_EXEC_SANITIZED=1 BATS="$(BATS)" \
		UNPRIVILEGED="$(UNPRIVILEGED)" tests/run $(TESTS)

# Static analysis, zero findings: cppcheck, clang-tidy (.clang-tidy), and
# gcc's -fanalyzer; and pmccabe: no function of su-exec.c more complex
# than COMPLEXITY_MAX (its first column, where a switch counts once) or
# longer than FUNCTION_LINES_MAX lines.
GCC = gcc
COMPLEXITY_MAX = 10
FUNCTION_LINES_MAX = 40

# Each tool, and the Debian package that has it.
LINT_TOOLS = cppcheck:cppcheck clang-tidy:clang-tidy $(GCC):gcc mandoc:mandoc \
	groff:groff-base pmccabe:pmccabe

lint:
	@for t in $(LINT_TOOLS); do \
		command -v "$${t%%:*}" >/dev/null 2>&1 || { \
		echo "make lint: $${t%%:*} not found (Debian package $${t#*:})" >&2; \
		exit 1; }; \
	done
	cppcheck --enable=warning,style,performance,portability --std=c11 \
		--error-exitcode=1 --quiet --inline-suppr $(SU_CPPFLAGS) su-exec.c
	@# its "N warnings generated." counts those in system headers, which
	@# it hides anyway: not a finding, so not shown
	@echo clang-tidy --quiet su-exec.c
	@out=$$(clang-tidy --quiet su-exec.c -- $(SU_CPPFLAGS) $(SU_CFLAGS) 2>&1); \
		rc=$$?; printf '%s\n' "$$out" | \
		sed '/^[0-9][0-9]* warnings\{0,1\} generated\.$$/d'; exit $$rc
	$(GCC) $(SU_CPPFLAGS) $(SU_CFLAGS) -O2 -Wall -Wextra -Werror -fanalyzer \
		-c -o /dev/null su-exec.c
	mandoc -Tlint -Wwarning su-exec.1
	groff -ww -mandoc -Tutf8 su-exec.1 >/dev/null
	pmccabe su-exec.c | awk -v c=$(COMPLEXITY_MAX) -v l=$(FUNCTION_LINES_MAX) \
		'$$1 > c || $$5 > l { bad = 1; print "make lint: " $$6 " " $$7 \
		": complexity " $$1 " (at most " c "), " $$5 " lines (at most " l ")" } \
		END { exit bad }' >&2

# tests/run ends with a count, and fails when most tests were skipped for
# want of root unless UNPRIVILEGED=1 asks for the unprivileged part alone.
UNPRIVILEGED =

check: su-exec su-exec-static
	BATS="$(BATS)" UNPRIVILEGED="$(UNPRIVILEGED)" tests/run $(TESTS) $(ENGINE_TESTS)

install: su-exec
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	cp -f su-exec $(DESTDIR)$(BINDIR)/su-exec
	chmod 755 $(DESTDIR)$(BINDIR)/su-exec
	cp -f su-exec.1 $(DESTDIR)$(MANDIR)/man1/su-exec.1
	chmod 644 $(DESTDIR)$(MANDIR)/man1/su-exec.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/su-exec $(DESTDIR)$(MANDIR)/man1/su-exec.1

# libFuzzer harnesses (clang) for the spec and the two file readers, each
# for FUZZ_SECONDS; fails on any crash, leak or broken invariant.
FUZZ_SECONDS = 60

fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run

# Frama-C on su-exec.c: EVA with no alarm on the harnesses of
# tests/prove/eva_core.c, and WP proving every goal of the ACSL contracts
# in su-exec.c. Debian 12: frama-c-base why3 z3 cvc4.
prove:
	tests/prove/run

# Mutation testing: each mutant in tests/mutants/list, a small change to a
# copy of su-exec.c, must make the test suite fail. Root; two at a time.
# MUTANTS_ARGS picks a subset: -q (CI: no mutant marked equivalent),
# -s SECTION, or mutant names.
MUTANTS_ARGS =

mutants:
	MAKE="$(MAKE)" tests/mutants/run $(MUTANTS_ARGS)

# The comparison with gosu, setpriv, chpst and s6-setuidgid, printed and
# written to RESULTS, and the static build checked against bench/limits.
# Root. RESULTS=bench/results.md refreshes the figures the README quotes.
RESULTS = build/bench-results.md

bench: su-exec su-exec-static
	bench/run --check --output $(RESULTS)

# Where the static build's instructions before the exec go (callgrind).
# Root and valgrind.
profile:
	bench/profile

# The static build's compiler flags, unstripped: what bench/profile builds.
print-static-flags:
	@$(STATIC_CC_SH); \
	echo $(SU_CPPFLAGS) $(SU_CFLAGS) $$opt $(STATIC_CFLAGS) $(EXTRA_CFLAGS) \
		$(filter-out -s,$(STATIC_LDFLAGS))

# A versioned tarball of what is committed; distcheck proves that it
# builds and passes the test suite once unpacked (the engine tests aside:
# their images are built from the same files by make check).
DIST = su-exec-$(VERSION)

dist:
	git archive --format=tar.gz --prefix=$(DIST)/ -o $(DIST).tar.gz HEAD

distcheck: dist
	rm -rf .distcheck && mkdir .distcheck
	tar -xzf $(DIST).tar.gz -C .distcheck
	cd .distcheck/$(DIST) && $(MAKE) check ENGINE_TESTS=
	rm -rf .distcheck

clean:
	rm -f su-exec su-exec-static su-exec-static.tmp su-exec-asan $(DIST).tar.gz
	rm -rf .distcheck tests/fuzz/build dist build

.PHONY: all static size release release-sizes check-release reproducible sanitize lint check fuzz prove mutants bench profile print-static-flags dist distcheck install uninstall clean
