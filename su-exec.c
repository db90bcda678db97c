/* SPDX-License-Identifier: MIT
 *
 * su-exec: become another user and group, then exec a command in place.
 *
 * It runs as root on untrusted input, so it MUST:
 *  - fail closed: when the target is in doubt or the switch did not take
 *    effect, exit 125 and run nothing; never fall back to root;
 *  - set the groups, then every gid slot, then every uid slot, and check
 *    them all afterwards;
 *  - exec, never fork: the command keeps the PID and gets the signals;
 *  - read /etc/passwd and /etc/group itself, through a bounded buffer,
 *    with no NSS, stdio or locale, so a static build runs in scratch images;
 *  - open every descriptor close-on-exec, and close none it inherited.
 */
#define _GNU_SOURCE
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#ifdef __aarch64__
#include <arm_neon.h>
#endif

#ifndef VERSION
#define VERSION "unknown"
#endif

/* The exit codes of env(1), chroot(1) and docker run. */
enum { EXIT_OWN = 125, EXIT_CANNOT_RUN = 126, EXIT_NOT_FOUND = 127 };

#define PASSWD_PATH "/etc/passwd"
#define GROUP_PATH "/etc/group"
/* Docker's PATH for a process whose environment has none. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Docker, runc and gosu refuse ids above this: (uid_t)-1 and friends mean
 * "unchanged" to the kernel, and wrapping 4294967296 to 0 made root. */
#define ID_MAX 2147483647u
#if defined(SU_EXEC_FUZZ) && defined(FUZZ_GROUPS_MAX)
/* A fuzzing build may make it small: the limit then takes small inputs. */
#define GROUPS_MAX FUZZ_GROUPS_MAX
#else
/* Linux's NGROUPS_MAX; musl's header and sysconf say 32, the kernel 65536. */
#define GROUPS_MAX 65536
#endif
#if defined(SU_EXEC_FUZZ) && defined(FUZZ_LINE_MAX)
/* A fuzzing build may make both small: long lines then take small inputs. */
#define LINE_MAX_BYTES ((size_t)FUZZ_LINE_MAX)
#define CHUNK ((size_t)FUZZ_CHUNK)
#else
/* Longest database line read in full (a group of 100,000 members fits). */
#define LINE_MAX_BYTES ((size_t)1 << 20)
/* Read size; while lines are short, all of the line buffer that is used.
 * Over a big file the kernel's copy and the read calls cost more than the
 * search: 16 KiB takes a quarter fewer calls than 12, and the peak memory
 * stays under 64 kB at every size (24 KiB would not). */
#define CHUNK ((size_t)16 << 10)
#endif
/* Largest database read: a million entries take about 50 MiB, and this
 * much reads in well under a second. */
#define DB_MAX_BYTES ((size_t)256 << 20)
/* Longest piece of untrusted input quoted in a message. */
#define QUOTE_MAX 64

static const char usage_line[] =
	"usage: su-exec [OPTION...] USER[:GROUP] COMMAND [ARG...]";

static const char help_text[] =
	"Usage: su-exec [OPTION...] USER[:GROUP] COMMAND [ARG...]\n"
	"Become USER and GROUP, then exec COMMAND in place: same PID, no fork.\n"
	"USER, GROUP: names in /etc/passwd and /etc/group, or ids 0-2147483647.\n"
	"Without GROUP: the user's group and memberships; with it, that group.\n"
	"\n"
	"  -p, --print            print uid, gid, groups and home; run nothing\n"
	"  -G, --group-add GROUP  add a supplementary group (repeatable)\n"
	"      --no-new-privs     COMMAND can never gain privileges\n"
	"  -h, --help             this help\n"
	"  -v, --version          the version\n"
	"  --                     end of options (for a USER starting with -)\n"
	"\n"
	"Exit status: COMMAND's; 125 su-exec failed, 126 COMMAND cannot run,\n"
	"127 COMMAND not found.\n";

/* ---- output -------------------------------------------------------- */

static noreturn void die(int status, int err, const char *fmt, ...);

#ifdef SU_EXEC_FUZZ
#include <setjmp.h>
static jmp_buf fuzz_exit;
static noreturn void quit(int status)
{
	longjmp(fuzz_exit, status ? status : 256);
}
#else
static noreturn void quit(int status)
{
	exit(status);
}
#endif

/* Text on its way to fd, written when the buffer fills and at the end. */
struct out {
	int fd;
	size_t len;
	char buf[1024];
};

static void out_flush(struct out *o)
{
	size_t done = 0;

	while (done < o->len) {
		ssize_t n = write(o->fd, o->buf + done, o->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 && o->fd == STDERR_FILENO)
			break; /* a message with nowhere to go: the status tells */
		if (n <= 0)
			die(EXIT_OWN, n < 0 ? errno : EIO, "cannot write to stdout");
		done += (size_t)n;
	}
	o->len = 0;
}

static void out_put(struct out *o, const char *s, size_t n)
{
	while (n) {
		size_t k = sizeof o->buf - o->len;

		if (k > n)
			k = n;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
		if (o->len == sizeof o->buf)
			out_flush(o);
	}
}

static void out_str(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

static size_t format_uint(char *end, unsigned v)
{
	char *p = end;

	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	return (size_t)(end - p);
}

static void out_uint(struct out *o, unsigned v)
{
	char d[16];
	size_t n = format_uint(d + sizeof d, v);

	out_put(o, d + sizeof d - n, n);
}

/* Quotes untrusted bytes, cut to QUOTE_MAX, so a message stays one
 * readable line. */
static void out_quoted(struct out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	out_put(o, "'", 1);
	for (i = 0; i < n && i < QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
			out_put(o, &s[i], 1);
		} else {
			char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

			out_put(o, esc, sizeof esc);
		}
	}
	out_put(o, "'", 1);
	if (i < n)
		out_str(o, "...");
}

/*
 * The one error path: one line on stderr, "su-exec: " and fmt, then
 * ": strerror(err)" when err is not 0; exit with status. fmt knows %s
 * (trusted text), %q (untrusted bytes: a pointer and a size_t length) and
 * %u (unsigned).
 */
static noreturn void die(int status, int err, const char *fmt, ...)
{
	struct out o;
	const char *p;
	va_list ap;

	o.fd = STDERR_FILENO;
	o.len = 0;
	out_str(&o, "su-exec: ");
	va_start(ap, fmt);
	for (p = fmt; *p; p++) {
		const char *s;

		if (*p != '%' || !p[1]) {
			out_put(&o, p, 1);
			continue;
		}
		switch (*++p) {
		case 's':
			out_str(&o, va_arg(ap, const char *));
			break;
		case 'q':
			s = va_arg(ap, const char *);
			out_quoted(&o, s, va_arg(ap, size_t));
			break;
		case 'u':
			out_uint(&o, va_arg(ap, unsigned));
			break;
		default:
			out_put(&o, p, 1);
		}
	}
	va_end(ap);
	if (err) {
		out_str(&o, ": ");
		out_str(&o, strerror(err));
	}
	out_put(&o, "\n", 1);
	out_flush(&o);
	quit(status);
}

static noreturn void print_and_exit(const char *text)
{
	struct out o;

	o.fd = STDOUT_FILENO;
	o.len = 0;
	out_str(&o, text);
	out_flush(&o);
	quit(0);
}

/* Zeroed memory straight from the kernel, for the one allocation whose
 * size has no fixed bound (a copy of the environment); everything else
 * lives in struct work. */
static void *map_memory(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die(EXIT_OWN, errno, "cannot allocate memory");
	return p;
}

/* ---- ids and specs (pure) -------------------------------------------- */

/* Group lists go to the kernel as they are. */
_Static_assert(sizeof(gid_t) == sizeof(uint32_t), "gid_t is 32 bits");

enum idparse { ID_OK, ID_NOT_NUMBER, ID_TOO_BIG };

/* Only the digits 0-9 make a number: no sign, blank, base prefix or
 * exponent. Scans the whole text even past overflow, so "99999999999x" is
 * a name, not a number out of range. */
static enum idparse parse_id(const char *s, size_t n, uint32_t *id)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return ID_NOT_NUMBER;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(unsigned char)s[i] - '0';

		if (d > 9)
			return ID_NOT_NUMBER;
		/* stops growing once too big: 10 * ID_MAX + 9 fits 64 bits */
		if (v <= ID_MAX)
			v = v * 10 + d;
	}
	*id = (uint32_t)v;
	return v > ID_MAX ? ID_TOO_BIG : ID_OK;
}

/* A user or group as the command line names it. */
struct ref {
	enum { REF_NONE, REF_ID, REF_NAME } kind;
	const char *text;
	size_t len;
	uint32_t id;
};

/* REF_NONE for empty text; false when it is a number out of range. */
static bool parse_ref(const char *s, size_t n, struct ref *r)
{
	enum idparse e = parse_id(s, n, &r->id);

	r->text = s;
	r->len = n;
	r->kind = n == 0 ? REF_NONE : e == ID_NOT_NUMBER ? REF_NAME : REF_ID;
	return e != ID_TOO_BIG;
}

/* A group the target gets: GROUP or a --group-add. */
struct gref {
	struct ref ref;
	uint32_t gid;
	bool found;
};

/* ---- byte search ---------------------------------------------------- */

/* Sixteen bytes as one value: gcc and clang turn operations on it into
 * SIMD instructions where the machine has them, plain ones elsewhere.
 * Those that have them in every build for its architecture: x86-64,
 * arm64, ppc64el. */
#if defined(__SSE2__) || defined(__ARM_NEON) || defined(__ALTIVEC__)
#define HAVE_SIMD16 1
#else
#define HAVE_SIMD16 0
#endif
typedef unsigned char bytes16 __attribute__((vector_size(16)));
typedef uint64_t words16 __attribute__((vector_size(16)));

static inline __attribute__((always_inline)) bytes16 load16(const char *p)
{
	bytes16 v;

	memcpy(&v, p, sizeof v);
	return v;
}

static inline __attribute__((always_inline)) bool any_set(bytes16 v)
{
#ifdef __SSE2__
	return _mm_movemask_epi8((__m128i)v) != 0;
#else
	words16 w = (words16)v;

	return (w[0] | w[1]) != 0;
#endif
}

/* Bit i for place i of a step that passed. */
static inline __attribute__((always_inline)) unsigned places_of(bytes16 v)
{
#ifdef __SSE2__
	return (unsigned)_mm_movemask_epi8((__m128i)v);
#elif defined(__aarch64__)
	/* each place's own bit, then the bits of each half added up */
	const bytes16 bit = { 1, 2, 4, 8, 16, 32, 64, 128,
			      1, 2, 4, 8, 16, 32, 64, 128 };
	uint8x16_t b = (uint8x16_t)(v & bit);

	return vaddv_u8(vget_low_u8(b)) | (unsigned)vaddv_u8(vget_high_u8(b)) << 8;
#else
	unsigned m = 0, i;

	for (i = 0; i < 16; i++)
		m |= (unsigned)(v[i] & 1) << i;
	return m;
#endif
}

/* The first c in [p, end), or NULL. Sixteen bytes a step: lines and
 * fields are short, shorter than the set-up of a word-at-a-time memchr. */
static const char *find_byte(const char *p, const char *end, char c)
{
	const bytes16 want = (bytes16){ 0 } + (unsigned char)c;

	if (!HAVE_SIMD16) /* a word at a time, in less code */
		return memchr(p, c, (size_t)(end - p));
	if (end - p < 16) {
		for (; p < end; p++)
			if (*p == c)
				return p;
		return NULL;
	}
	for (;; p += 16) {
		bytes16 v;

		/* the last step overlaps the one before, which held no c */
		if (end - p < 16)
			p = end - 16;
		v = (bytes16)(load16(p) == want);
		if (any_set(v))
			return p + __builtin_ctz(places_of(v));
		if (end - p == 16)
			return NULL;
	}
}

/* ---- database lines (pure) ------------------------------------------- */

struct span {
	const char *p;
	size_t n;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Trims blanks (so CRLF files work); false for lines that say nothing:
 * empty and comments. A cut line keeps its last blanks: they do not end
 * the line, so they belong to a field. */
static bool usable_line(struct span *l, bool cut)
{
	while (l->n && is_blank(l->p[0])) {
		l->p++;
		l->n--;
	}
	while (!cut && l->n && is_blank(l->p[l->n - 1]))
		l->n--;
	return l->n && l->p[0] != '#';
}

/* Field *f ends at the ':' at c, and the next one starts after it. */
static inline __attribute__((always_inline)) void split_at(struct span **f,
							   const char *c)
{
	(*f)->n = (size_t)(c - (*f)->p);
	(++*f)->p = c + 1;
}

/* Splits at ':' into at most max fields, the last one taking the rest;
 * 0 when the line holds a NUL byte: it is malformed. One pass finds both,
 * sixteen bytes a step where there is SIMD; the last step overlaps the one
 * before, and skip says how many of its places that one has seen. */
static size_t split_fields(struct span l, struct span *f, size_t max)
{
	const char *p = l.p, *end = l.p + l.n;
	struct span *cur = f, *last = f + max - 1;

	f[0].p = l.p;
	if (!HAVE_SIMD16 || l.n < 16) {
		for (; p < end; p++) {
			if (*p == '\0')
				return 0;
			if (*p == ':' && cur < last)
				split_at(&cur, p);
		}
	} else {
		const bytes16 colon = (bytes16){ 0 } + ':';
		unsigned skip = 0;

		for (;; p += 16) {
			unsigned colons;
			bytes16 v;

			if (end - p < 16) {
				skip = (unsigned)(16 - (end - p));
				p = end - 16;
			}
			v = load16(p);
			/* the places seen already held no NUL */
			if (any_set((bytes16)(v == (bytes16){ 0 })))
				return 0;
			colons = places_of((bytes16)(v == colon)) >> skip << skip;
			for (; colons && cur < last; colons &= colons - 1)
				split_at(&cur, p + __builtin_ctz(colons));
			if (end - p == 16)
				break;
		}
	}
	cur->n = (size_t)(end - cur->p);
	return (size_t)(cur - f) + 1;
}

static bool valid_id(struct span f, uint32_t *id)
{
	return parse_id(f.p, f.n, id) == ID_OK;
}

/* What a line means for a lookup. UNSURE: a line too long to read in full
 * that may be the one sought; the caller must fail rather than guess. */
enum verdict { NO_MATCH, MATCH, UNSURE };

/* Does key field f name want? complete is false when the line was cut
 * inside f, so only its beginning is known: a cut that falls right after
 * the whole name still leaves it unsure, as the name may go on past it. */
static enum verdict key_matches(struct span f, bool complete,
				const struct ref *want)
{
	uint32_t id;

	if (want->kind == REF_NAME) {
		bool head = f.n <= want->len && !memcmp(f.p, want->text, f.n);

		if (complete)
			return head && f.n == want->len ? MATCH : NO_MATCH;
		return head ? UNSURE : NO_MATCH;
	}
	if (!complete)
		return f.n == 0 || parse_id(f.p, f.n, &id) != ID_NOT_NUMBER
			       ? UNSURE : NO_MATCH;
	return valid_id(f, &id) && id == want->id ? MATCH : NO_MATCH;
}

/* A passwd line as the lookup needs it. */
struct pwline {
	uint32_t uid, gid;
	struct span name, home;
};

/* name:password:uid:gid:gecos:home:shell. want is a name or an id; a line
 * whose uid or gid is not a valid id is as if absent. */
static enum verdict passwd_line(struct span l, bool cut, const struct ref *want,
				struct pwline *pw)
{
	struct span f[7];
	size_t n = split_fields(l, f, 7);
	size_t key = want->kind == REF_NAME ? 0 : 2;
	enum verdict v;

	if (n == 0)
		return NO_MATCH; /* malformed: as if absent */
	if (n <= key)
		return cut ? UNSURE : NO_MATCH;
	v = key_matches(f[key], !cut || key + 1 < n, want);
	if (v == NO_MATCH || cut)
		return v == NO_MATCH ? NO_MATCH : UNSURE;
	if (n < 4 || !valid_id(f[2], &pw->uid) || !valid_id(f[3], &pw->gid))
		return NO_MATCH;
	pw->name = f[0];
	pw->home = n > 5 ? f[5] : (struct span){ "", 0 };
	return MATCH;
}

/* Is name one of the comma-separated members? */
static bool members_contain(struct span m, const char *name, size_t len)
{
	const char *p = m.p, *end = m.p + m.n;

	for (;;) {
		const char *comma = find_byte(p, end, ',');
		const char *stop = comma ? comma : end;

		if (len && (size_t)(stop - p) == len && !memcmp(p, name, len))
			return true;
		if (!comma)
			return false;
		p = comma + 1;
	}
}

/* ---- group id sets --------------------------------------------------- */

/* A set of gids with room for GIDSET_ROOM: gids are appended, and sorted
 * and made unique only when the room is full and at the end. The room is
 * twice what Linux takes, so that each sort comes after at least
 * GROUPS_MAX + 2 additions: the time stays O(n log n) however many of them
 * are duplicates, and more than GROUPS_MAX is seen, never cut. Sorted and
 * unique after gidset_compact. */
#define GIDSET_ROOM ((size_t)2 * (GROUPS_MAX + 1))
struct gidset {
	uint32_t *v;
	size_t n;
};

/* The order of a sort: is a before b? ctx is the sort's own. */
typedef bool (*before_fn)(const void *ctx, uint32_t a, uint32_t b);

static void sift_down(uint32_t *v, size_t root, size_t n, before_fn before,
		      const void *ctx)
{
	for (;;) {
		size_t child = 2 * root + 1;
		uint32_t tmp;

		if (child >= n)
			return;
		if (child + 1 < n && before(ctx, v[child], v[child + 1]))
			child++;
		if (!before(ctx, v[root], v[child]))
			return;
		tmp = v[root];
		v[root] = v[child];
		v[child] = tmp;
		root = child;
	}
}

/* Heapsort: O(n log n) for a user in 65536 groups or as many names, in a
 * few lines that spare the static binary libc's qsort. */
static void sort_u32(uint32_t *v, size_t n, before_fn before, const void *ctx)
{
	size_t i;

	for (i = n / 2; i-- > 0;)
		sift_down(v, i, n, before, ctx);
	for (i = n; i-- > 1;) {
		uint32_t tmp = v[0];

		v[0] = v[i];
		v[i] = tmp;
		sift_down(v, 0, i, before, ctx);
	}
}

static bool gid_before(const void *ctx, uint32_t a, uint32_t b)
{
	(void)ctx;
	return a < b;
}

static void gidset_compact(struct gidset *s)
{
	size_t i, k = 0;

	if (s->n < 2)
		return; /* the usual: the primary gid alone */
	sort_u32(s->v, s->n, gid_before, NULL);
	for (i = 0; i < s->n; i++)
		if (k == 0 || s->v[i] != s->v[k - 1])
			s->v[k++] = s->v[i];
	s->n = k;
}

/* False when the set has outgrown GROUPS_MAX: the caller must fail. */
static bool gidset_add(struct gidset *s, uint32_t gid)
{
	if (s->n == GIDSET_ROOM) {
		gidset_compact(s);
		if (s->n > GROUPS_MAX)
			return false;
	}
	s->v[s->n++] = gid;
	return true;
}

static bool gidset_equal(const struct gidset *a, const struct gidset *b)
{
	return a->n == b->n && !memcmp(a->v, b->v, a->n * sizeof *a->v);
}

/* ---- reading the database -------------------------------------------- */

/* The line buffer: a line of LINE_MAX_BYTES and its newline fit, with
 * room for one more read. */
#define LINE_BUF_SIZE (LINE_MAX_BYTES + CHUNK > GROUP_LIST_BYTES ? \
		       LINE_MAX_BYTES + CHUNK : GROUP_LIST_BYTES)
/* ... and, once the reading is done, a group list read back (GROUPS_MAX
 * gids and the primary one). */
#define GROUP_LIST_BYTES ((GROUPS_MAX + 1) * sizeof(uint32_t))

/* A database file read line by line. Reads are CHUNK bytes each, and a
 * line is moved to the front of the buffer when it runs past its end, so
 * only the first pages of the buffer are touched unless a line is long. */
struct db {
	const char *path;
	int fd;            /* -1: the file is missing and reads as empty */
	bool eof, skipping;
	char *buf;         /* LINE_BUF_SIZE bytes */
	size_t pos, end;
	size_t nonl;       /* buf[pos, nonl) is known to hold no newline */
	size_t base;       /* the file offset of buf[0] */
	size_t cut_at;     /* the file offset of the last line cut */
	uint64_t size;     /* the size fstat gave at open */
};

static noreturn void die_too_big(const struct db *d)
{
	die(EXIT_OWN, 0, "cannot read %s: larger than %u MiB",
	    d->path, (unsigned)(DB_MAX_BYTES >> 20));
}

/* Is fd on a file system whose files are made up as they are read (proc,
 * sys and kin)? They call themselves regular, with size 0, and may never
 * end: /proc/self/pagemap reads for minutes. The magic numbers are the
 * kernel's (include/uapi/linux/magic.h), not in musl's headers. */
static bool on_pseudo_fs(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) != 0)
		return false; /* then the size limit still bounds the read */
	switch ((uint32_t)sf.f_type) {
	case 0x9fa0:     /* proc */
	case 0x62656572: /* sysfs */
	case 0x64626720: /* debugfs */
	case 0x74726163: /* tracefs */
	case 0x73636673: /* securityfs */
	case 0x27e0eb:   /* cgroup */
	case 0x63677270: /* cgroup2 */
	case 0x62656570: /* configfs */
	case 0xcafe4a11: /* bpf */
	case 0x6165676c: /* pstore */
	case 0xde5e81e4: /* efivarfs */
	case 0xf97cff8c: /* selinuxfs */
	case 0x43415d53: /* smackfs */
		return true;
	default:
		return false;
	}
}

/* Straight to the kernel: musl's open() follows an O_CLOEXEC open with an
 * fcntl, for kernels older than 2.6.23, one system call more a file.
 * O_NONBLOCK: a FIFO put in place of the file must not hang us. */
static int open_db(const char *path)
{
	return (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC |
			    O_NOCTTY | O_NONBLOCK | O_LARGEFILE);
}

static void db_open(struct db *d, const char *path, char *buf)
{
	struct stat st;

	d->path = path;
	d->eof = d->skipping = false;
	d->buf = buf;
	d->pos = d->end = d->nonl = d->base = d->cut_at = 0;
	d->fd = open_db(path);
	if (d->fd < 0) {
		if (errno != ENOENT)
			die(EXIT_OWN, errno, "cannot open %s", path);
		d->eof = true;
		return;
	}
	if (fstat(d->fd, &st) != 0)
		die(EXIT_OWN, errno, "cannot read %s", path);
	if (!S_ISREG(st.st_mode))
		die(EXIT_OWN, 0, "cannot read %s: not a regular file", path);
	if (on_pseudo_fs(d->fd))
		die(EXIT_OWN, 0, "cannot read %s: a pseudo file (proc, sys), "
		    "not a database", path);
	d->size = (uint64_t)st.st_size;
	if (d->size > DB_MAX_BYTES)
		die_too_big(d);
}

static void db_close(struct db *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/* Appends what one read() gives; false at end of file. Reads end at the
 * CHUNK mark while lines are short, so the buffer's other pages stay
 * untouched. db_block keeps d->end <= LINE_MAX_BYTES, so a CHUNK fits. */
static bool db_fill(struct db *d)
{
	size_t want = d->end < CHUNK ? CHUNK - d->end : CHUNK;
	ssize_t n;

	if (d->eof)
		return false;
	do
		n = read(d->fd, d->buf + d->end, want);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die(EXIT_OWN, errno, "cannot read %s", d->path);
	d->end += (size_t)n;
	/* a file that grows as it is read stops at the limit too */
	if (d->base + d->end > DB_MAX_BYTES)
		die_too_big(d);
	/* a read that stops short right where fstat said the file ends has
	 * reached it: no read more only to be told so */
	d->eof = n == 0 || ((size_t)n < want && d->base + d->end == d->size);
	return n > 0;
}

/* The first '\n' in [p, end), or NULL. */
static char *find_newline(char *p, const char *end)
{
	return (char *)find_byte(p, end, '\n');
}

/* Moves the unread bytes to the front of the buffer. */
static void db_compact(struct db *d)
{
	d->base += d->pos;
	d->nonl -= d->pos;
	d->end -= d->pos;
	if (d->end) /* most blocks end with the bytes read: nothing to move */
		memmove(d->buf, d->buf + d->pos, d->end);
	d->pos = 0;
}

/* The cut line: its first LINE_MAX_BYTES bytes, at buf + start. */
static void db_cut(struct db *d, size_t start, struct span *b)
{
	b->p = d->buf + start;
	b->n = LINE_MAX_BYTES;
	d->cut_at = d->base + start;
}

/*
 * The next block of whole lines, valid until the next call; false at end
 * of file. The lines are separated by '\n' (the last one may lack it), and
 * none is longer than LINE_MAX_BYTES. A longer line comes alone, cut to
 * that length, with *cut set; the rest of it is skipped.
 */
static bool db_block(struct db *d, struct span *b, bool *cut)
{
	for (;;) {
		char *start = d->buf + d->pos, *end = d->buf + d->end, *last = end;

		if (d->skipping) {
			char *nl = find_newline(start, end);

			d->skipping = !nl;
			d->pos = nl ? (size_t)(nl + 1 - d->buf) : d->end;
			if (nl)
				continue;
		}
		if (d->nonl < d->pos)
			d->nonl = d->pos;
		/* the last newline; a long partial line is scanned once */
		while (last > d->buf + d->nonl && last[-1] != '\n')
			last--;
		if (last > d->buf + d->nonl) {
			/* only a line carried over from the last read can be
			 * long, and only in a block that long */
			size_t first = (size_t)(last - start) <= LINE_MAX_BYTES ? 0 :
				(size_t)(find_newline(start, last) - start);

			*cut = first > LINE_MAX_BYTES;
			if (*cut) {
				db_cut(d, d->pos, b);
				d->pos += first + 1;
				return true;
			}
			b->p = start;
			b->n = (size_t)(last - start);
			d->pos = (size_t)(last - d->buf);
			d->nonl = d->pos;
			return true;
		}
		d->nonl = d->end;
		db_compact(d);
		if (d->end > LINE_MAX_BYTES && !d->skipping) {
			db_cut(d, 0, b);
			d->pos = d->end;
			d->skipping = *cut = true;
			return true;
		}
		if (!db_fill(d)) {
			if (d->skipping || d->end == 0)
				return false;
			/* a last line without its newline */
			b->p = d->buf;
			b->n = d->end;
			d->pos = d->end;
			*cut = false;
			return true;
		}
	}
}

/* Counts the lines of path before offset at: only for a message, so that
 * the fast path never has to count them. */
static unsigned line_number(const char *path, size_t at, char *buf)
{
	unsigned line = 1;
	int fd = open_db(path);
	ssize_t n;

	while (fd >= 0 && at > 0 &&
	       (n = read(fd, buf, at < CHUNK ? at : CHUNK)) > 0) {
		char *p = buf;
		const char *end = buf + n;

		while ((p = find_newline(p, end))) {
			line++;
			p++;
		}
		at -= (size_t)n;
	}
	if (fd >= 0)
		close(fd);
	return line;
}

static noreturn void die_long_line(struct db *d)
{
	die(EXIT_OWN, 0, "cannot read %s: line %u is longer than %u bytes",
	    d->path, line_number(d->path, d->cut_at, d->buf),
	    (unsigned)LINE_MAX_BYTES);
}

/* What the search looks for at each place: text's first byte there and
 * its last byte text.n - 1 further (first and last, as names often share
 * their first letters: "nobody", "nologin"). */
struct probe {
	bytes16 first, last_byte;
	size_t last;
};

static struct probe probe_for(struct span text)
{
	struct probe q;

	q.last = text.n - 1;
	q.first = (bytes16){ 0 } + (unsigned char)text.p[0];
	q.last_byte = (bytes16){ 0 } + (unsigned char)text.p[q.last];
	return q;
}

/* The places p .. p + 15 that pass the probe: 0xff in each byte. */
static inline __attribute__((always_inline)) bytes16 passing(const char *p, const struct probe *q)
{
	return (bytes16)((load16(p) == q->first) &
			 (load16(p + q->last) == q->last_byte));
}

/* From p on, by steps of sixteen places up to the one at last_step, the
 * first step with a place that passes the probe, as a mask of its places;
 * 0 when there is none. The last step may overlap the one before it, so
 * that no place is left for a byte loop. Apart, with no call inside, so
 * that its constants stay in registers. */
static __attribute__((noinline)) unsigned next_step(const char **from,
						    const char *last_step,
						    const struct probe *q)
{
	const char *p = *from;
	bytes16 v;

	/* four steps a turn while all four are before last_step; one,
	 * spelled out byte by byte, where there is no SIMD */
	for (; HAVE_SIMD16 && p + 48 <= last_step; p += 64)
		if (any_set(passing(p, q) | passing(p + 16, q) |
			    passing(p + 32, q) | passing(p + 48, q)))
			break;
	for (;; p += 16) {
		if (p > last_step)
			p = last_step;
		v = passing(p, q);
		if (any_set(v) || p == last_step)
			break;
	}
	*from = p;
	return places_of(v);
}

/* Where a key can start: a name at the start of a line, after its
 * blanks; a member right after a ':' or a ','; the digits of an id after
 * a ':' and the zeros that may lead them. */
enum anchor { LINE_START, MEMBER_START, ID_START };

/* Can a key start at p, in a block of whole lines that starts at start?
 * What is walked over (blanks, leading zeros) ends at p, whose byte is not
 * of that kind: each byte is walked over once in a search. */
static bool anchored(const char *start, const char *p, enum anchor a)
{
	if (a == MEMBER_START)
		return p > start && (p[-1] == ':' || p[-1] == ',');
	if (a == ID_START) {
		/* zeros lead the digits of any id but 0, whose own start
		 * is then the only place to look */
		if (p[0] != '0')
			while (p > start && p[-1] == '0')
				p--;
		return p > start && p[-1] == ':';
	}
	while (p > start && is_blank(p[-1]))
		p--;
	return p == start || p[-1] == '\n';
}

/* The first place in [p, end), a block that starts at start, where text
 * (n > 0 bytes) starts at an anchor, or NULL. Sixteen places a step, and
 * only places that pass the probe are looked at. Text is compared in full
 * only at anchors, and it cannot run past the end of a line or a field
 * there (see key_searchable), so the search takes time linear in the
 * block whatever text and lines hold. */
static const char *find_key(const char *start, const char *p, const char *end,
			    struct span text, enum anchor a)
{
	const struct probe q = probe_for(text);
	const char *last_step;
	unsigned m;

	/* a step reads its sixteen places and q.last bytes more */
	if ((size_t)(end - p) < text.n + 15) {
		for (; (size_t)(end - p) >= text.n; p++)
			if (p[0] == text.p[0] && anchored(start, p, a) &&
			    !memcmp(p, text.p, text.n))
				return p;
		return NULL;
	}
	last_step = end - text.n - 15;
	for (;;) {
		for (m = next_step(&p, last_step, &q); m; m &= m - 1) {
			const char *at = p + __builtin_ctz(m);

			if (anchored(start, at, a) && !memcmp(at, text.p, text.n))
				return at;
		}
		if (p == last_step)
			return NULL;
		p += 16;
	}
}

/* Can text be found at anchor a at all? A field never holds a newline or
 * a ':', a member never a ',', and a name never starts with a blank (lines
 * are trimmed). Text that could not match is never searched: this is also
 * what bounds each comparison at an anchor by the field it starts. */
static bool key_searchable(struct span text, enum anchor a)
{
	size_t i;

	if (!text.n || is_blank(text.p[0]))
		return false;
	/* letters lie above all three: one test a byte for most names */
	for (i = 0; i < text.n; i++) {
		unsigned char c = (unsigned char)text.p[i];

		if (c <= ':' && (c == '\n' || c == ':' ||
				 (c == ',' && a == MEMBER_START)))
			return false;
	}
	return true;
}

/* The next line of block b, from *from on, that holds text at anchor a;
 * *from moves past it, so that each line is found once. The caller has
 * checked key_searchable. */
static bool next_line_with(struct span b, const char **from, struct span text,
			   enum anchor a, struct span *line)
{
	const char *end = b.p + b.n, *hit, *nl;

	if (*from >= end || !(hit = find_key(b.p, *from, end, text, a)))
		return false;
	line->p = hit;
	while (line->p > b.p && line->p[-1] != '\n')
		line->p--;
	nl = find_newline((char *)hit, end);
	line->n = (size_t)((nl ? nl : end) - line->p);
	*from = nl ? nl + 1 : end;
	return true;
}

/* ---- resolving the target -------------------------------------------- */

/* What room holds at most: GROUP and the --group-add list, the target's
 * name and home, its groups, the group names in order; the four rounded
 * up to 8 bytes each. */
#define ROOM_SIZE ((1 + GROUPS_MAX) * (sizeof(struct gref) + sizeof(uint32_t)) + \
		   LINE_MAX_BYTES + 2 + GIDSET_ROOM * sizeof(uint32_t) + 32)

/*
 * Storage with fixed bounds, zero until used. Static, it costs only the
 * pages actually touched, so memory stays bounded, and small for a normal
 * database, without an allocator. room is handed out in order of need by
 * take(): the small lists first, so that they share a page, then the
 * groups, the one list that grows.
 */
struct work {
	/* the database line buffer; after the reading, the group list read
	 * back from the kernel */
	_Alignas(uint64_t) char line[LINE_BUF_SIZE];
	_Alignas(uint64_t) char room[ROOM_SIZE];
	size_t used;
};


/* n bytes of room, in order; ROOM_SIZE bounds what the callers take. */
static void *take(struct work *w, size_t n)
{
	void *p = w->room + w->used;

	n = (n + 7) & ~(size_t)7;
	if (n > sizeof w->room - w->used)
		die(EXIT_OWN, ENOMEM, "cannot resolve the identity");
	w->used += n;
	return p;
}

/* Who the command runs as. */
struct ident {
	uint32_t uid, gid;
	const char *name;      /* the passwd name; NULL without a passwd line */
	size_t name_len;
	char *home_entry;      /* "HOME=" and the home, for the environment */
	const char *home;      /* the home: home_entry + 5 */
	struct gidset groups;  /* sorted, unique, with gid */
};

/* Copies name and home of a passwd line out of the line buffer, which is
 * about to be reused. */
static void keep_user(const struct pwline *pw, struct work *w, struct ident *t)
{
	char *text = take(w, pw->name.n + pw->home.n + 7);

	memcpy(text, pw->name.p, pw->name.n);
	text[pw->name.n] = '\0';
	t->name = text;
	t->name_len = pw->name.n;
	text += pw->name.n + 1;
	memcpy(text, "HOME=", 5);
	memcpy(text + 5, pw->home.p, pw->home.n);
	text[5 + pw->home.n] = '\0';
	t->home_entry = text;
	t->home = text + 5;
	t->uid = pw->uid;
	t->gid = pw->gid;
}

/* A line that says something, trimmed; a line cut while still blank
 * could hold anything after the cut. */
static bool usable_entry(struct db *d, struct span *l, bool cut)
{
	if (usable_line(l, cut))
		return true;
	if (cut && l->n == 0)
		die_long_line(d);
	return false;
}

/* Takes passwd line l when it is want's. */
static bool take_passwd_line(struct db *d, struct span l, bool cut,
			     const struct ref *want, struct work *w,
			     struct ident *t)
{
	struct pwline pw;

	if (!usable_entry(d, &l, cut))
		return false;
	switch (passwd_line(l, cut, want, &pw)) {
	case NO_MATCH:
		return false;
	case UNSURE:
		die_long_line(d);
	case MATCH:
		break;
	}
	keep_user(&pw, w, t);
	return true;
}

/* Fills *t from the first passwd line for want; false when no line
 * names it. Only lines holding want's text where it can start are looked
 * at: a name at the start of a line, or the decimal digits of the id after
 * a ':' and its leading zeros. */
static bool find_user(const char *path, const struct ref *want,
		      struct work *w, struct ident *t)
{
	char digits[16];
	struct span key = { want->text, want->len }, b, l;
	enum anchor at = LINE_START;
	struct db d;
	bool cut, found = false, searchable;

	if (want->kind != REF_NAME) {
		key.n = format_uint(digits + sizeof digits, want->id);
		key.p = digits + sizeof digits - key.n;
		at = ID_START;
	}
	searchable = key_searchable(key, at);
	db_open(&d, path, w->line);
	while (!found && db_block(&d, &b, &cut)) {
		const char *from = b.p;

		if (cut)
			found = take_passwd_line(&d, b, true, want, w, t);
		while (!cut && searchable && !found &&
		       next_line_with(b, &from, key, at, &l))
			found = take_passwd_line(&d, l, false, want, w, t);
	}
	db_close(&d);
	return found;
}

/* One pass over the group file: resolves the named grefs and, when member
 * is set, collects the gid of every group that lists it. */
struct group_scan {
	struct gref *refs;
	uint32_t *by_name;   /* the indexes of the named refs, sorted by name */
	size_t nnames;
	size_t pending;      /* named refs not found yet */
	const char *member;  /* NULL: memberships are not wanted */
	size_t member_len;
	bool member_searchable;
	struct gidset *out;
	bool too_many;       /* out is full: more than GROUPS_MAX */
};

/* Names in the order of their bytes, a name before those it starts. */
static int compare_spans(struct span a, struct span b)
{
	int c = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);

	return c ? c : (a.n > b.n) - (a.n < b.n);
}

static struct span ref_text(const struct gref *g)
{
	return (struct span){ g->ref.text, g->ref.len };
}

static bool name_before(const void *refs, uint32_t a, uint32_t b)
{
	const struct gref *r = refs;

	return compare_spans(ref_text(&r[a]), ref_text(&r[b])) < 0;
}

/* The named ref at position i of the sorted list. */
static struct gref *named(const struct group_scan *s, size_t i)
{
	return &s->refs[s->by_name[i]];
}

/* Resolves every ref named f, the whole name of a valid line with gid:
 * found by binary search, so that a line costs log(names), not names. */
static void take_name(struct group_scan *s, struct span f, uint32_t gid)
{
	size_t lo = 0, hi = s->nnames;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (compare_spans(ref_text(named(s, mid)), f) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* a name given twice is found twice, by the same line */
	for (; lo < s->nnames && !named(s, lo)->found &&
	       !compare_spans(ref_text(named(s, lo)), f); lo++) {
		named(s, lo)->gid = gid;
		named(s, lo)->found = true;
		s->pending--;
	}
}

/* Could name field f of a line cut too long name a ref not found yet?
 * complete: f is whole. Rare (a line of over LINE_MAX_BYTES), so each
 * ref is tried in turn. */
static bool cut_names_pending(const struct group_scan *s, struct span f,
			      bool complete)
{
	size_t i;

	for (i = 0; i < s->nnames; i++)
		if (!named(s, i)->found &&
		    key_matches(f, complete, &named(s, i)->ref) != NO_MATCH)
			return true;
	return false;
}

/* name:password:gid:members. False when the line is too long to read in
 * full and may concern the target. */
static bool group_line(struct group_scan *s, struct span l, bool cut)
{
	struct span f[4];
	size_t n = split_fields(l, f, 4);
	bool gid_known = n > 3 || (n == 3 && !cut);
	uint32_t gid = 0;
	bool valid = gid_known && valid_id(f[2], &gid);

	if (n == 0 || ((gid_known || !cut) && !valid))
		return true; /* malformed: as if absent */
	if (cut && cut_names_pending(s, f[0], n > 1))
		return false;
	if (!cut && s->pending)
		take_name(s, f[0], gid);
	if (!s->member)
		return true;
	if (cut)
		return false; /* the members not read could name the user */
	if (n == 4 && members_contain(f[3], s->member, s->member_len))
		s->too_many = !gidset_add(s->out, gid);
	return true;
}

static bool scan_done(const struct group_scan *s)
{
	return s->too_many || (!s->member && !s->pending);
}

/* Takes group line l into scan s. */
static void take_group_line(struct db *d, struct group_scan *s, struct span l,
			    bool cut)
{
	if (usable_entry(d, &l, cut) && !group_line(s, l, cut))
		die_long_line(d);
}

/* Reads a block of whole lines: while names are sought, every line in
 * turn, so that each name gets the first line that has it; after that,
 * only the lines where the user's name starts a member. */
static void scan_block(struct db *d, struct group_scan *s, struct span b)
{
	const char *from = b.p, *end = b.p + b.n;
	struct span l, name = { s->member, s->member_len };

	while (s->pending && !s->too_many && from < end) {
		const char *nl = find_newline((char *)from, end);

		l.p = from;
		l.n = (size_t)((nl ? nl : end) - from);
		from = nl ? nl + 1 : end;
		take_group_line(d, s, l, false);
	}
	while (s->member_searchable && !s->too_many &&
	       next_line_with(b, &from, name, MEMBER_START, &l))
		take_group_line(d, s, l, false);
}

static void scan_groups(const char *path, struct group_scan *s, char *buf)
{
	struct db d;
	struct span b;
	bool cut;

	if (scan_done(s))
		return; /* numeric ids only: the file is not needed */
	db_open(&d, path, buf);
	while (!scan_done(s) && db_block(&d, &b, &cut)) {
		if (cut)
			take_group_line(&d, s, b, true);
		else
			scan_block(&d, s, b);
	}
	db_close(&d);
}

/* The target's uid, gid, home, name, from USER. */
static void resolve_user(const char *passwd, const char *spec, size_t len,
			 struct work *w, struct ident *t)
{
	struct ref user;

	if (!parse_ref(spec, len, &user))
		die(EXIT_OWN, 0, "invalid user id %q: out of range (0 to %u)",
		    spec, len, ID_MAX);
	if (user.kind == REF_NONE) {
		/* "" and ":group" mean the caller's own uid, as Docker does */
		user.kind = REF_ID;
		user.id = (uint32_t)getuid();
	}
	if (find_user(passwd, &user, w, t))
		return;
	if (user.kind == REF_NAME)
		die(EXIT_OWN, 0, "unknown user %q: no such user in %s",
		    user.text, user.len, passwd);
	t->uid = user.id;
	t->gid = (uint32_t)getgid();
	t->name = NULL;
	t->name_len = 0;
	t->home_entry = NULL;
}

/* Parses GROUP and the --group-add texts, and readies the scan of the
 * group file for them: the names sorted, for one pass whatever their
 * number. */
static void prepare_scan(struct gref *refs, size_t nrefs, struct work *w,
			 struct group_scan *s)
{
	size_t i;

	s->refs = refs;
	s->by_name = take(w, nrefs * sizeof *s->by_name);
	s->nnames = 0;
	for (i = 0; i < nrefs; i++) {
		struct gref *g = &refs[i];

		if (!parse_ref(g->ref.text, g->ref.len, &g->ref))
			die(EXIT_OWN, 0, "invalid group id %q: out of range (0 to %u)",
			    g->ref.text, g->ref.len, ID_MAX);
		g->found = g->ref.kind != REF_NAME;
		g->gid = g->ref.id;
		if (!g->found)
			s->by_name[s->nnames++] = (uint32_t)i;
	}
	sort_u32(s->by_name, s->nnames, name_before, refs);
	s->pending = s->nnames;
}

/* HOME for a target without a home of its own. */
static char root_home[] = "HOME=/";

/*
 * Resolves USER[:GROUP] plus the added groups into *t, with Docker's
 * --user rules; dies naming the culprit when something is unknown or bad.
 * refs[0] holds GROUP's text (empty without one), the rest --group-add's.
 * Apart from main: its frame holds the readers of both files, and main's
 * stays small enough for the short form of every stack address.
 */
static __attribute__((noinline)) void resolve(
	const char *passwd, const char *group, const char *spec, size_t user_len,
	struct gref *refs, size_t nrefs, struct work *w, struct ident *t)
{
	struct group_scan scan = { 0 };
	bool fits;
	size_t i;

	resolve_user(passwd, spec, user_len, w, t);
	t->groups.v = take(w, GIDSET_ROOM * sizeof *t->groups.v);
	t->groups.n = 0;
	scan.out = &t->groups;
	prepare_scan(refs, nrefs, w, &scan);
	/* a passwd line with an empty name matched by uid names no member */
	if (refs[0].ref.kind == REF_NONE && t->name_len) {
		scan.member = t->name;
		scan.member_len = t->name_len;
		scan.member_searchable = key_searchable(
			(struct span){ scan.member, scan.member_len }, MEMBER_START);
	}
	scan_groups(group, &scan, w->line);
	/* past the limit the scan may stop: a name not reached is not unknown */
	gidset_compact(&t->groups);
	fits = !scan.too_many && t->groups.n <= GROUPS_MAX;
	for (i = 0; fits && i < nrefs; i++)
		if (!refs[i].found)
			die(EXIT_OWN, 0, "unknown group %q: no such group in %s",
			    refs[i].ref.text, refs[i].ref.len, group);
	if (refs[0].ref.kind != REF_NONE)
		t->gid = refs[0].gid;
	if (!t->home_entry || !t->home_entry[5])
		t->home_entry = root_home;
	t->home = t->home_entry + 5;
	/* The primary gid is always a supplementary group too (CVE-2022-36109:
	 * otherwise a process could shed a group that denies it access). */
	fits = fits && gidset_add(&t->groups, t->gid);
	for (i = 1; fits && i < nrefs; i++)
		fits = gidset_add(&t->groups, refs[i].gid);
	gidset_compact(&t->groups);
	if (!fits || t->groups.n > GROUPS_MAX)
		die(EXIT_OWN, 0, "%q needs more than %u groups (the Linux limit)",
		    spec, strlen(spec), (unsigned)GROUPS_MAX);
}

/* ---- switching ------------------------------------------------------- */

/* The kernel's capability ABI, declared here because musl's headers do not
 * carry <linux/capability.h>. */
struct cap_header {
	/* cppcheck-suppress unusedStructMember ; read by the kernel */
	uint32_t version;
	/* cppcheck-suppress unusedStructMember ; read by the kernel */
	int pid;
};
struct cap_data {
	uint32_t effective, permitted, inheritable;
};
#define CAP_VERSION_3 0x20080522

/* Leaving uid 0 clears the permitted and effective sets, but not the
 * inheritable one (CVE-2022-24769), and a caller that already is the
 * target may hold any (ambient ones from a runtime's --cap-add): all are
 * cleared, which needs no privilege. The kernel keeps ambient within
 * permitted and inheritable, so empty sets leave no ambient one. The
 * buffer read back starts full: a capget that writes nothing fails. */
/* Reads the capability sets into d. d starts full, so a capget that
 * says it succeeded but wrote nothing reads as every capability held. */
static bool read_capabilities(struct cap_data d[2])
{
	struct cap_header h = { CAP_VERSION_3, 0 };

	memset(d, 0xff, 2 * sizeof *d);
	return syscall(SYS_capget, &h, d) == 0;
}

static void drop_capabilities(void)
{
	struct cap_header h = { CAP_VERSION_3, 0 };
	struct cap_data d[2];
	size_t i;

	memset(d, 0, sizeof d);
	if (syscall(SYS_capset, &h, d) != 0)
		die(EXIT_OWN, errno, "cannot drop capabilities");
	if (!read_capabilities(d))
		die(EXIT_OWN, errno, "cannot check capabilities");
	for (i = 0; i < 2; i++)
		if (d[i].effective || d[i].permitted || d[i].inheritable)
			die(EXIT_OWN, 0, "capabilities remain after the switch");
}

/* CAP_SETGID and CAP_SETUID, bits 6 and 7 of the first word. */
#define CAP_SET_IDS ((1u << 6) | (1u << 7))

/* Could the caller set ids other than its own? Only a caller that could
 * not may skip the switch: a faked read-back then keeps nothing it could
 * have dropped. The buffer starts full, so a capget that writes nothing
 * reads as "it could", and the full switch runs. */
static bool may_set_ids(void)
{
	struct cap_data d[2];

	if (!read_capabilities(d))
		return true;
	return ((d[0].effective | d[0].permitted) & CAP_SET_IDS) != 0;
}

/* Do every uid and gid slot hold the target's? Every buffer starts as
 * (uint32_t)-1, an id no target has: a call that says it succeeded but
 * wrote nothing reads as "not the target". */
static bool ids_are(const struct ident *t)
{
	uid_t ru = (uid_t)-1, eu = (uid_t)-1, su = (uid_t)-1;
	gid_t rg = (gid_t)-1, eg = (gid_t)-1, sg = (gid_t)-1;

	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0)
		return false;
	return ru == t->uid && eu == t->uid && su == t->uid &&
	       rg == t->gid && eg == t->gid && sg == t->gid;
}

/* The kernel's group list, sorted and unique, in *have, kept in room
 * (the target's count and one more). False when the kernel holds more
 * groups than the target (getgroups says EINVAL) or claims to. room is
 * filled first with (uint32_t)-1, as above. */
static bool read_groups(const struct ident *t, uint32_t *room,
			struct gidset *have)
{
	int n;

	memset(room, 0xff, t->groups.n * sizeof *room);
	n = getgroups((int)t->groups.n, (gid_t *)room);
	if (n < 0 || (size_t)n > t->groups.n)
		return false;
	have->v = room;
	have->n = (size_t)n;
	gidset_compact(have);
	return true;
}

/* Is the caller already exactly the target? A runtime may or may not list
 * the primary gid among the groups, so here it counts as listed. */
static bool caller_is_target(const struct ident *t, uint32_t *room)
{
	struct gidset have;

	if (!ids_are(t) || !read_groups(t, room, &have))
		return false;
	have.v[have.n++] = t->gid;
	gidset_compact(&have);
	return gidset_equal(&have, &t->groups);
}

/* Did the switch take? After setgroups the kernel holds exactly the list
 * it was given: the same count, the same gids, nothing taken as present
 * that was not read back. */
static bool groups_took(const struct ident *t, uint32_t *room)
{
	struct gidset have;

	return read_groups(t, room, &have) && gidset_equal(&have, &t->groups);
}

/* What a failed switch call's errno means, in words. EPERM: the
 * privilege is missing. EINVAL: an id that the user namespace does not
 * map, the one cause left (su-exec never passes more than NGROUPS_MAX
 * groups, nor an id of -1). */
enum id_call { SET_GROUPS, SET_GID, SET_UID };

static const char *switch_hint(int err, enum id_call call)
{
	if (err == EPERM)
		return call == SET_UID ? " (su-exec needs root or CAP_SETUID)"
				       : " (su-exec needs root or CAP_SETGID)";
	if (err != EINVAL)
		return "";
	if (call == SET_GROUPS)
		return " (a group not mapped in this user namespace:"
		       " see /proc/self/gid_map)";
	return call == SET_UID ? " (not mapped in this user namespace:"
				 " see /proc/self/uid_map)"
			       : " (not mapped in this user namespace:"
				 " see /proc/self/gid_map)";
}

/* The id calls go straight to the kernel: the process has one thread, and
 * libc's wrappers would link in the machinery that changes the ids of
 * every thread. On 32-bit x86 and arm the plain calls take 16-bit ids. */
#ifdef SYS_setresuid32
#define SYS_SETGROUPS SYS_setgroups32
#define SYS_SETRESGID SYS_setresgid32
#define SYS_SETRESUID SYS_setresuid32
#define SYS_SETUID SYS_setuid32
#else
#define SYS_SETGROUPS SYS_setgroups
#define SYS_SETRESGID SYS_setresgid
#define SYS_SETRESUID SYS_setresuid
#define SYS_SETUID SYS_setuid
#endif

/* Did the process start with t's uid and gid, real and effective? The
 * kernel gives them in the aux vector, without a system call; they have
 * not changed since. Only such a caller can already be the target. */
static bool started_as(const struct ident *t)
{
	return getauxval(AT_UID) == t->uid && getauxval(AT_EUID) == t->uid &&
	       getauxval(AT_GID) == t->gid && getauxval(AT_EGID) == t->gid;
}

/* Becomes t, or dies. A process that already runs as its target
 * (rootless, runAsNonRoot) and could not set other ids makes no
 * privileged call, and needs no privilege; it too leaves with no
 * capability unless t is root. room holds GROUPS_MAX + 1 gids for
 * reading back the group list. */
static void switch_identity(const struct ident *t, uint32_t *room)
{
	if (started_as(t) && !may_set_ids() && caller_is_target(t, room)) {
		if (t->uid != 0)
			drop_capabilities();
		return;
	}
	if (syscall(SYS_SETGROUPS, t->groups.n, t->groups.v) != 0)
		die(EXIT_OWN, 0, "cannot set groups: %s%s", strerror(errno),
		    switch_hint(errno, SET_GROUPS));
	if (syscall(SYS_SETRESGID, t->gid, t->gid, t->gid) != 0)
		die(EXIT_OWN, 0, "cannot set gid %u: %s%s", t->gid,
		    strerror(errno), switch_hint(errno, SET_GID));
	if (syscall(SYS_SETRESUID, t->uid, t->uid, t->uid) != 0)
		die(EXIT_OWN, 0, "cannot set uid %u: %s%s", t->uid,
		    strerror(errno), switch_hint(errno, SET_UID));
	if (t->uid != 0) {
		drop_capabilities();
		if (syscall(SYS_SETUID, 0) == 0)
			die(EXIT_OWN, 0, "could regain uid 0 after switching to uid %u",
			    t->uid);
	}
	if (!ids_are(t))
		die(EXIT_OWN, 0, "uid %u gid %u did not take effect", t->uid,
		    t->gid);
	if (!groups_took(t, room))
		die(EXIT_OWN, 0, "the group list did not take effect");
}

/* ---- running the command --------------------------------------------- */

/* Does var start with prefix? Byte by byte, each only when the one
 * before matched: var may be the shorter. */
static bool starts_with(const char *var, const char *prefix)
{
	for (; *prefix && *var == *prefix; var++)
		prefix++;
	return !*prefix;
}

/* Does var ("NAME=value") set name_eq ("NAME=")? Most variables differ at
 * their first byte, tested inline: the environment may be long. */
static inline __attribute__((always_inline)) bool sets(const char *var,
						       const char *name_eq)
{
	return var[0] == name_eq[0] && starts_with(var + 1, name_eq + 1);
}

/* The PATH of env, as getenv(3) finds it: its first entry. */
static const char *path_variable(char **env)
{
	char **e;

	for (e = env; e && *e; e++)
		if (sets(*e, "PATH="))
			return *e + 5;
	return NULL;
}

/* The caller's environment with HOME set by entry ("HOME=DIR"). The usual
 * one, with one HOME, is changed in place; any other is copied, the first
 * HOME replaced, later ones dropped, entry appended when there was none. */
static char **env_with_home(char *entry)
{
	char **env = environ, **copy;
	size_t n = 0, homes = 0, first = 0, k = 0, i;

	for (; env && env[n]; n++)
		if (sets(env[n], "HOME=") && homes++ == 0)
			first = n;
	if (homes == 1) {
		env[first] = entry;
		return env;
	}
	copy = map_memory((n + 2) * sizeof *copy);
	for (i = 0; i < n; i++)
		if (!sets(env[i], "HOME="))
			copy[k++] = env[i];
		else if (i == first)
			copy[k++] = entry;
	if (!homes)
		copy[k++] = entry;
	copy[k] = NULL;
	return copy;
}

/* Is there something at path? Asked as the target, after the switch. */
static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* 127 when there is nothing at path, 126 when there is but it cannot run;
 * a file that is no valid executable is never handed to a shell. */
static noreturn void die_exec(const char *path, int err)
{
	size_t len = strlen(path);

	if ((err == ENOENT || err == ENOTDIR) && !exists(path))
		die(EXIT_NOT_FOUND, err, "cannot run %q", path, len);
	if (err == ENOENT)
		die(EXIT_CANNOT_RUN, 0, "cannot run %q: its interpreter or "
		    "loader is missing", path, len);
	if (err == ENOEXEC)
		die(EXIT_CANNOT_RUN, 0, "cannot run %q: not an executable "
		    "format the kernel knows", path, len);
	die(EXIT_CANNOT_RUN, err, "cannot run %q", path, len);
}

/* dir (dlen bytes, none for the current directory), '/' and cmd in path,
 * of PATH_BYTES; false when too long. */
#define PATH_BYTES 4096
static bool join_path(char *path, const char *dir, size_t dlen,
		      const char *cmd, size_t clen)
{
	if (dlen + 1 + clen >= PATH_BYTES)
		return false;
	memcpy(path, dir, dlen);
	path[dlen] = '/';
	memcpy(path + dlen + !!dlen, cmd, clen + 1);
	return true;
}

/*
 * Runs argv[0], which holds no '/', from the caller's PATH as execvp(3)
 * would, but after the switch (so the target's own permissions decide) and
 * never through /bin/sh. An entry where the command exists but cannot run
 * is remembered, and reported only if no later entry runs it. Never
 * inlined: its buffer must not weigh on the stack of the common case.
 */
static noreturn __attribute__((noinline)) void exec_from_path(char **argv,
							     char **envp)
{
	const char *cmd = argv[0], *dir = path_variable(envp), *failed_dir = "";
	size_t clen = strlen(cmd), failed_len = 0;
	char path[PATH_BYTES];
	int failed_err = 0;

	if (!dir)
		dir = DEFAULT_PATH;
	for (; clen; dir++) {
		const char *end = dir;

		while (*end && *end != ':')
			end++;
		if (join_path(path, dir, (size_t)(end - dir), cmd, clen)) {
			int err;

			execve(path, argv, envp);
			err = errno;
			/* go on where execvp(3) does, and past a name too
			 * long for this entry */
			if (err != ENOENT && err != ENOTDIR && err != EACCES &&
			    err != ENAMETOOLONG)
				die_exec(path, err);
			if (!failed_err && (err == EACCES || err == ENOENT) &&
			    exists(path)) {
				failed_dir = dir;
				failed_len = (size_t)(end - dir);
				failed_err = err;
			}
		}
		dir = end;
		if (!*dir)
			break;
	}
	if (failed_err && join_path(path, failed_dir, failed_len, cmd, clen))
		die_exec(path, failed_err);
	die(EXIT_NOT_FOUND, 0, "cannot run %q: command not found", cmd, clen);
}

static noreturn void exec_command(char **argv, char **envp)
{
	const char *c = argv[0];

	while (*c && *c != '/')
		c++;
	if (*c) {
		execve(argv[0], argv, envp);
		die_exec(argv[0], errno);
	}
	exec_from_path(argv, envp);
}

/* ---- command line ---------------------------------------------------- */

struct opts {
	bool print, no_new_privs;
	struct gref *refs; /* [0]: GROUP's text, then each --group-add */
	size_t nrefs;      /* at most 1 + GROUPS_MAX */
	const char *spec;
	size_t user_len;   /* USER's length: the spec up to its ':' */
	char **cmd;
};

static noreturn void die_usage(const char *what)
{
	die(EXIT_OWN, 0, "%s (%s)", what, usage_line);
}

static void add_group_option(struct opts *o, const char *opt, const char *val)
{
	if (!val)
		die(EXIT_OWN, 0, "option %s needs a GROUP (%s)", opt, usage_line);
	if (!*val)
		die(EXIT_OWN, 0, "option %s needs a non-empty GROUP", opt);
	if (o->nrefs == 1 + GROUPS_MAX)
		die(EXIT_OWN, 0, "option %s given more than %u times", opt,
		    (unsigned)GROUPS_MAX);
	o->refs[o->nrefs++].ref = (struct ref){ REF_NONE, val, strlen(val), 0 };
}

static void parse_long_option(struct opts *o, char **argv, int *i)
{
	const char *a = argv[*i];

	if (!strcmp(a, "--help"))
		print_and_exit(help_text);
	if (!strcmp(a, "--version"))
		print_and_exit("su-exec " VERSION "\n");
	if (!strcmp(a, "--print"))
		o->print = true;
	else if (!strcmp(a, "--no-new-privs"))
		o->no_new_privs = true;
	else if (!strcmp(a, "--group-add"))
		add_group_option(o, "'--group-add'", argv[++*i]);
	else if (starts_with(a, "--group-add="))
		add_group_option(o, "'--group-add'", a + 12);
	else
		die(EXIT_OWN, 0, "unknown option %q (try 'su-exec --help')", a,
		    strlen(a));
}

/* A cluster of short options, as getopt(3) takes them: -pG staff, -Gstaff. */
static void parse_short_options(struct opts *o, char **argv, int *i)
{
	const char *p;

	for (p = argv[*i] + 1; *p; p++) {
		char name[2] = { '-', *p };

		switch (*p) {
		case 'h':
			print_and_exit(help_text);
		case 'v':
			print_and_exit("su-exec " VERSION "\n");
		case 'p':
			o->print = true;
			break;
		case 'G':
			add_group_option(o, "'-G'", p[1] ? p + 1 : argv[++*i]);
			return;
		default:
			die(EXIT_OWN, 0, "unknown option %q (try 'su-exec --help')",
			    name, sizeof name);
		}
	}
}

/* Options come only before USER; nothing after USER is ever parsed. */
static void parse_args(int argc, char **argv, struct work *w, struct opts *o)
{
	/* each --group-add takes an argument at least */
	size_t most = argc < GROUPS_MAX ? (size_t)(argc > 0 ? argc : 0) : GROUPS_MAX;
	const char *spec;
	size_t n;
	int i;

	o->print = o->no_new_privs = false;
	o->refs = take(w, (most + 1) * sizeof *o->refs);
	o->nrefs = 1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || a[1] == '\0')
			break;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[1] == '-')
			parse_long_option(o, argv, &i);
		else
			parse_short_options(o, argv, &i);
	}
	if (i >= argc)
		die_usage("missing USER");
	o->spec = spec = argv[i];
	o->cmd = argv + i + 1;
	if (!o->cmd[0] && !o->print)
		die_usage("missing COMMAND");
	/* a byte loop: a spec is shorter than strchr's set-up */
	for (n = 0; spec[n] && spec[n] != ':'; n++)
		;
	o->user_len = n;
	o->refs[0].ref.text = spec[n] ? spec + n + 1 : "";
	o->refs[0].ref.len = strlen(o->refs[0].ref.text);
}

/* uid=N gid=N groups=G,... home=DIR: the primary gid first, then the
 * others ascending. Apart from main, as its buffer would make main's frame
 * too big for the short form of a stack address. */
static noreturn __attribute__((noinline)) void print_identity(
	const struct ident *t)
{
	struct out o;
	size_t i;

	o.fd = STDOUT_FILENO;
	o.len = 0;
	out_str(&o, "uid=");
	out_uint(&o, t->uid);
	out_str(&o, " gid=");
	out_uint(&o, t->gid);
	out_str(&o, " groups=");
	out_uint(&o, t->gid);
	for (i = 0; i < t->groups.n; i++) {
		if (t->groups.v[i] == t->gid)
			continue;
		out_put(&o, ",", 1);
		out_uint(&o, t->groups.v[i]);
	}
	out_str(&o, " home=");
	out_str(&o, t->home);
	out_put(&o, "\n", 1);
	out_flush(&o);
	quit(0);
}

#ifndef SU_EXEC_FUZZ
int main(int argc, char **argv)
{
	static struct work w;
	struct opts o;
	struct ident t;
	char **env;

	/* Installed setuid, setgid or with file capabilities, it would let
	 * anyone become anyone (ncopa/su-exec#2). The kernel says so in the
	 * aux vector, which needs no /proc. */
	if (getauxval(AT_SECURE))
		die(EXIT_OWN, 0, "refusing to run setuid, setgid or with file "
		    "capabilities: it is not sudo");
	parse_args(argc, argv, &w, &o);
	resolve(PASSWD_PATH, GROUP_PATH, o.spec, o.user_len, o.refs, o.nrefs,
		&w, &t);
	if (o.print)
		print_identity(&t);
	env = env_with_home(t.home_entry);
	/* the database is read: its buffer holds the group list read back */
	switch_identity(&t, (uint32_t *)(void *)w.line);
	if (o.no_new_privs && syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		die(EXIT_OWN, errno, "cannot set no_new_privs");
	exec_command(o.cmd, env);
}
#endif
