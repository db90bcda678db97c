/* SPDX-License-Identifier: MIT
 *
 * Shared by the libFuzzer harnesses. It compiles su-exec.c itself (main is
 * left out under SU_EXEC_FUZZ, and die() longjmps to fuzz_exit), with some
 * libc calls routed through bookkeeping wrappers:
 *
 *  - open and close: after a die() the harness closes what the program
 *    still held open (the longjmp skipped its cleanup); after a lookup
 *    that returns, it checks that every file opened was closed, and each
 *    descriptor is checked for close-on-exec;
 *  - malloc, realloc and free: the same for memory. The program keeps its
 *    memory in fixed static storage today; should it allocate again, leaks
 *    on paths that return are caught and the leak checker can stay on;
 *  - write: stdout and stderr are captured, so each message can be checked
 *    (one line, escaped, the culprit named) without flooding the fuzzer's
 *    own output.
 *
 * Below the include: a small independent reading of the contract (ids,
 * blanks, fields, quoting) that the harnesses compare the program with.
 */
#define _GNU_SOURCE
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <unistd.h>

#define FZ_MAX_ALLOCS 256
#define FZ_MAX_FDS 16
#define FZ_CAPTURE 8192

static void *fz_allocs[FZ_MAX_ALLOCS];
static size_t fz_nallocs;
static int fz_fds[FZ_MAX_FDS];
static size_t fz_nfds;

/* What the program wrote: [0] stdout, [1] stderr. */
static struct {
	size_t len, writes;
	char buf[FZ_CAPTURE];
} fz_out[2];

#define FZ_FAIL(...)                                                    \
	do {                                                            \
		fprintf(stderr, "fuzz invariant broken (%s:%d): ",      \
			__FILE__, __LINE__);                            \
		fprintf(stderr, __VA_ARGS__);                           \
		fputc('\n', stderr);                                    \
		abort();                                                \
	} while (0)

#define FZ_CHECK(cond, ...)                                             \
	do {                                                            \
		if (!(cond))                                            \
			FZ_FAIL(__VA_ARGS__);                           \
	} while (0)

static void fz_track(void *p)
{
	FZ_CHECK(fz_nallocs < FZ_MAX_ALLOCS, "too many live allocations");
	fz_allocs[fz_nallocs++] = p;
}

static void fz_untrack(void *p)
{
	size_t i;

	for (i = 0; i < fz_nallocs; i++)
		if (fz_allocs[i] == p) {
			fz_allocs[i] = fz_allocs[--fz_nallocs];
			return;
		}
	FZ_FAIL("free of a pointer the program never allocated");
}

static void *fz_malloc(size_t n)
{
	void *p = malloc(n);

	if (p)
		fz_track(p);
	return p;
}

static void *fz_realloc(void *old, size_t n)
{
	void *p = realloc(old, n);

	if (p) {
		if (old)
			fz_untrack(old);
		fz_track(p);
	}
	return p;
}

static void fz_free(void *p)
{
	if (p)
		fz_untrack(p);
	free(p);
}

static int fz_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int fd;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	fd = open(path, flags, mode);
	if (fd >= 0) {
		FZ_CHECK(fz_nfds < FZ_MAX_FDS, "too many open descriptors");
		FZ_CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC,
			 "descriptor opened without close-on-exec");
		fz_fds[fz_nfds++] = fd;
	}
	return fd;
}

static int fz_close(int fd)
{
	size_t i;

	for (i = 0; i < fz_nfds; i++)
		if (fz_fds[i] == fd) {
			fz_fds[i] = fz_fds[--fz_nfds];
			return close(fd);
		}
	FZ_FAIL("close of descriptor %d the program did not open", fd);
}

static ssize_t fz_write(int fd, const void *buf, size_t n)
{
	if (fd == STDOUT_FILENO || fd == STDERR_FILENO) {
		size_t k = fd == STDERR_FILENO;
		size_t room = FZ_CAPTURE - fz_out[k].len;

		FZ_CHECK(n <= room, "more output than any message should be");
		memcpy(fz_out[k].buf + fz_out[k].len, buf, n);
		fz_out[k].len += n;
		fz_out[k].writes++;
		return (ssize_t)n;
	}
	return write(fd, buf, n);
}

#define malloc fz_malloc
#define realloc fz_realloc
#define free fz_free
#define open fz_open
#define close fz_close
#define write fz_write
#include "../../su-exec.c"
#undef malloc
#undef realloc
#undef free
#undef open
#undef close
#undef write

/* ---- around each call -------------------------------------------------- */

static void fz_begin(void)
{
	fz_out[0].len = fz_out[0].writes = 0;
	fz_out[1].len = fz_out[1].writes = 0;
}

/* After a die(): what the skipped cleanup would have released. */
static void fz_release(void)
{
	while (fz_nallocs)
		free(fz_allocs[--fz_nallocs]);
	while (fz_nfds)
		close(fz_fds[--fz_nfds]);
}

/* After a call that returned: no descriptor left open, no memory held. */
static void fz_expect_clean(void)
{
	FZ_CHECK(fz_nfds == 0, "a descriptor was left open");
	FZ_CHECK(fz_nallocs == 0, "memory leaked on a path that returned");
}

/* A die() message: one line, "su-exec: " first, printable ASCII only
 * (untrusted bytes escaped), one write, nothing on stdout. */
static void fz_check_message(void)
{
	const char *m = fz_out[1].buf;
	size_t n = fz_out[1].len, i;

	FZ_CHECK(fz_out[0].len == 0, "output on stdout with an error");
	FZ_CHECK(fz_out[1].writes == 1, "message not written at once");
	FZ_CHECK(n > 9 && n <= 1024, "message of %zu bytes", n);
	FZ_CHECK(!memcmp(m, "su-exec: ", 9), "message without the prefix");
	FZ_CHECK(m[n - 1] == '\n', "message without its newline");
	for (i = 0; i + 1 < n; i++)
		FZ_CHECK(m[i] >= 0x20 && m[i] < 0x7f,
			 "byte 0x%02x at %zu of the message", (unsigned char)m[i], i);
	FZ_CHECK(n < 11 || memcmp(m + n - 11, ": Success\n", 11),
		 "message ends with strerror(0)");
}

static bool fz_message_has(const char *s)
{
	return memmem(fz_out[1].buf, fz_out[1].len, s, strlen(s)) != NULL;
}

/* ---- the contract, read independently ---------------------------------- */

#define REF_ID_MAX 2147483647u
/* The limits of the build under test: the run script makes them small, so
 * that lines past them take small inputs. */
#define REF_LINE_MAX LINE_MAX_BYTES
#define REF_CHUNK CHUNK

enum ref_num { NUM_OK, NUM_NAME, NUM_BIG };

/* Only 0-9; a number above 2^31-1 is out of range, not wrapped. */
static enum ref_num ref_number(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return NUM_NAME;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return NUM_NAME;
	for (i = 0; i < n; i++) {
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > REF_ID_MAX)
			return NUM_BIG;
	}
	*out = (uint32_t)v;
	return NUM_OK;
}

static bool ref_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Trims blanks; false for an empty line, a comment or a NUL byte. */
static bool ref_usable(const char **p, size_t *n)
{
	while (*n && ref_blank(**p))
		(*p)++, (*n)--;
	while (*n && ref_blank((*p)[*n - 1]))
		(*n)--;
	return *n && **p != '#' && !memchr(*p, 0, *n);
}

/* Field i of a ':'-separated line whose field last takes the rest;
 * false when the line has fewer fields. */
static bool ref_field(const char *p, size_t n, size_t i, size_t last,
		      const char **fp, size_t *fn)
{
	const char *end = p + n;
	size_t k;

	for (k = 0; k < i; k++) {
		const char *c = memchr(p, ':', (size_t)(end - p));

		if (!c)
			return false;
		p = c + 1;
	}
	if (i == last) {
		*fp = p;
		*fn = (size_t)(end - p);
	} else {
		const char *c = memchr(p, ':', (size_t)(end - p));

		*fp = p;
		*fn = (size_t)((c ? c : end) - p);
	}
	return true;
}

static size_t ref_count_fields(const char *p, size_t n, size_t max)
{
	size_t k = 1;
	const char *c, *end = p + n;

	while (k < max && (c = memchr(p, ':', (size_t)(end - p)))) {
		p = c + 1;
		k++;
	}
	return k;
}

static bool ref_valid_id(const char *p, size_t n, uint32_t *id)
{
	return ref_number(p, n, id) == NUM_OK;
}

/* The comma-separated entries of m, each compared whole. */
static bool ref_member(const char *m, size_t n, const char *name, size_t len)
{
	const char *end = m + n;

	while (m <= end) {
		const char *c = memchr(m, ',', (size_t)(end - m));
		size_t k = (size_t)((c ? c : end) - m);

		if (len && k == len && !memcmp(m, name, len))
			return true;
		if (!c)
			break;
		m = c + 1;
	}
	return false;
}

/* How a message quotes untrusted bytes: at most 64 of them, printable
 * ASCII but ' and \ as they are, the rest as \xhh, "..." when cut. */
static size_t ref_quote(char *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, k = 0;

	out[k++] = '\'';
	for (i = 0; i < n && i < 64; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
			out[k++] = (char)c;
		} else {
			out[k++] = '\\';
			out[k++] = 'x';
			out[k++] = hex[c >> 4];
			out[k++] = hex[c & 15];
		}
	}
	out[k++] = '\'';
	if (i < n) {
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k] = '\0';
	return k;
}

/* The message names the culprit, quoted as above. */
static void fz_check_quoted(const char *what, const char *s, size_t n)
{
	char q[64 * 4 + 8];

	ref_quote(q, s, n);
	FZ_CHECK(fz_message_has(q), "%s not quoted as %s in: %.*s", what, q,
		 (int)fz_out[1].len, fz_out[1].buf);
}

/* ---- database files ---------------------------------------------------- */

/* A memfd holding a database, opened by the program through its path. */
struct fz_file {
	int fd;
	char path[32];
};

static void fz_file_init(struct fz_file *f, const char *name)
{
	f->fd = memfd_create(name, MFD_CLOEXEC);
	if (f->fd < 0) {
		perror("memfd_create");
		abort();
	}
	snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
}

static void fz_file_set(struct fz_file *f, const char *p, size_t n)
{
	size_t done = 0;

	if (ftruncate(f->fd, 0) != 0) {
		perror("ftruncate");
		abort();
	}
	while (done < n) {
		ssize_t k = pwrite(f->fd, p + done, n - done, (off_t)done);

		if (k <= 0) {
			perror("pwrite");
			abort();
		}
		done += (size_t)k;
	}
}

/*
 * The input's file part, with one expansion so that small inputs reach
 * the long-line paths: 0xff 0xfe C2 C1 C0 L followed by L bytes (1 to 16)
 * stands for those L bytes repeated C2*65536 + C1*256 + C0 times. The
 * result is capped at FZ_EXPAND_MAX bytes: room for several lines over the
 * reader's limit in the fuzz build, and for a member of more groups than
 * its limit; no more, as every byte is written and read on each run.
 */
#define FZ_EXPAND_MAX ((size_t)64 << 10)

static char *fz_expand(const uint8_t *in, size_t n, size_t *outn)
{
	static char *buf;
	size_t i = 0, k = 0;

	if (!buf)
		buf = malloc(FZ_EXPAND_MAX);
	FZ_CHECK(buf, "out of memory");
	while (i < n && k < FZ_EXPAND_MAX) {
		if (i + 6 <= n && in[i] == 0xff && in[i + 1] == 0xfe) {
			size_t count = (size_t)in[i + 2] << 16 |
				       (size_t)in[i + 3] << 8 | in[i + 4];
			size_t len = (size_t)(in[i + 5] & 15) + 1;
			size_t total, done, step;

			i += 6;
			if (len > n - i)
				len = n - i;
			total = len * count;
			if (total > FZ_EXPAND_MAX - k)
				total = (FZ_EXPAND_MAX - k) / len * len;
			/* one copy, then doubling: cheap even for MBs */
			if (total) {
				memcpy(buf + k, in + i, len);
				for (done = len; done < total; done += step) {
					step = done < total - done ? done : total - done;
					memcpy(buf + k + done, buf + k, step);
				}
			}
			k += total;
			i += len;
			continue;
		}
		buf[k++] = (char)in[i++];
	}
	*outn = k;
	return buf;
}

/* A raw line of the file: [p, p+n), 1-based number. */
struct ref_line {
	const char *p;
	size_t n;
	unsigned no;
};

static bool ref_next_line(const char *buf, size_t len, size_t *pos,
			  struct ref_line *l)
{
	const char *nl;

	if (*pos >= len)
		return false;
	l->p = buf + *pos;
	nl = memchr(l->p, '\n', len - *pos);
	l->n = nl ? (size_t)(nl - l->p) : len - *pos;
	*pos += l->n + 1;
	l->no++;
	return true;
}

/* The part of a line cut at the limit that the reader sees: its first
 * REF_LINE_MAX bytes, leading blanks trimmed (the blanks at the cut do not
 * end the line, so they stay). False when that part shows that the line
 * says nothing, whatever follows: a comment or a NUL byte. */
static bool ref_visible(const char *p, const char **vp, size_t *vn)
{
	size_t n = REF_LINE_MAX;

	while (n && ref_blank(*p))
		p++, n--;
	*vp = p;
	*vn = n;
	return !n || (*p != '#' && !memchr(p, 0, n));
}

/* Could field key of the visible part [v, v + vn) of a cut line still be
 * want's, whatever the bytes past the cut? A field not reached, or cut
 * short, could be; a name cut short is unsure while it is a beginning of
 * want's (the cut right after the whole name included), digits cut short
 * while they are digits. */
static bool ref_key_could_be(const char *v, size_t vn, size_t key,
			     const struct ref *want)
{
	const char *end = v + vn, *c;
	size_t k, fn, i;
	uint32_t id;

	for (k = 0; k < key; k++) {
		if (!(c = memchr(v, ':', (size_t)(end - v))))
			return true;
		v = c + 1;
	}
	c = memchr(v, ':', (size_t)(end - v));
	fn = (size_t)((c ? c : end) - v);
	if (want->kind == REF_NAME)
		return fn <= want->len && !memcmp(v, want->text, fn) &&
		       (!c || fn == want->len);
	if (c)
		return ref_valid_id(v, fn, &id) && id == want->id;
	for (i = 0; i < fn; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return true;
}

/* How the reader may see a raw line: lines up to the limit whole, lines of
 * a buffer's size more cut at the limit, those in between either way. */
enum ref_len { LEN_WHOLE, LEN_EITHER, LEN_CUT };

static enum ref_len ref_length(size_t n)
{
	if (n <= REF_LINE_MAX)
		return LEN_WHOLE;
	return n < REF_LINE_MAX + REF_CHUNK ? LEN_EITHER : LEN_CUT;
}

/* Line numbers where an error about a long line is acceptable. */
struct ref_may {
	unsigned no[64];
	size_t n;
};

static void ref_may_add(struct ref_may *m, unsigned no)
{
	if (m->n < sizeof m->no / sizeof m->no[0])
		m->no[m->n++] = no;
}

static bool ref_may_has(const struct ref_may *m, unsigned no)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->no[i] == no)
			return true;
	return false;
}

/* The number in "line N is longer than", or 0. */
static unsigned fz_long_line_no(void)
{
	const char *m = fz_out[1].buf, *p;
	unsigned long no;
	char tail[64];

	snprintf(tail, sizeof tail, " is longer than %zu bytes",
		 (size_t)LINE_MAX_BYTES);
	p = memmem(m, fz_out[1].len, ": line ", 7);
	if (!p || !fz_message_has(tail))
		return 0;
	no = strtoul(p + 7, NULL, 10);
	return no > 0 && no < 1u << 30 ? (unsigned)no : 0;
}

/* After a reader died: status 125 and one clean line naming the file, which
 * is about a long line the model says must fail (error_line, 0 for none)
 * or may fail (may). */
static void fz_check_reader_died(int st, const char *path, unsigned error_line,
				 const struct ref_may *may)
{
	unsigned no;

	fz_release();
	fz_check_message();
	FZ_CHECK(st == 125, "exit status %d", st);
	FZ_CHECK(fz_message_has(path), "message does not name the file");
	no = fz_long_line_no();
	FZ_CHECK(no, "unexpected error: %.*s", (int)fz_out[1].len, fz_out[1].buf);
	FZ_CHECK((error_line && no == error_line) || ref_may_has(may, no),
		 "error at line %u, where the model expects %s %u", no,
		 error_line ? "an error at line" : "none, not even at line",
		 error_line);
}
