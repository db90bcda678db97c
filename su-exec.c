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
 *  - read /etc/passwd and /etc/group itself, one line at a time through a
 *    bounded buffer, with no NSS, stdio or locale, so a static build runs
 *    in scratch images;
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
/* A fuzzing build may make the limits small, so small inputs reach them. */
#if defined(SU_EXEC_FUZZ) && defined(FUZZ_GROUPS_MAX)
#define GROUPS_MAX FUZZ_GROUPS_MAX
#else
/* Linux's NGROUPS_MAX; musl's header and sysconf say 32, the kernel 65536. */
#define GROUPS_MAX 65536
#endif
#if defined(SU_EXEC_FUZZ) && defined(FUZZ_LINE_MAX)
#define LINE_MAX_BYTES ((size_t)FUZZ_LINE_MAX)
#define CHUNK ((size_t)FUZZ_CHUNK)
#else
/* Longest database line read in full (a group of 100,000 members fits). */
#define LINE_MAX_BYTES ((size_t)1 << 20)
/* Read size: while lines are short, the part of the line buffer in use,
 * so that peak memory stays under 64 kB whatever the file size. */
#define CHUNK ((size_t)16 << 10)
#endif
/* Largest database read: a million entries take about 50 MiB. */
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

#ifdef SU_EXEC_FUZZ
#include <setjmp.h>
static jmp_buf fuzz_exit;
#endif

/* The fuzzing harnesses catch the exit, to go on with the next input. */
static noreturn void quit(int status)
{
#ifdef SU_EXEC_FUZZ
	longjmp(fuzz_exit, status ? status : 256);
#else
	exit(status);
#endif
}

static noreturn void die(int status, int err, const char *fmt, ...);

/* Text on its way to fd, written when the buffer fills and at the end, so
 * that a message leaves in one write. */
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
	for (; n; s++, n--) {
		o->buf[o->len++] = *s;
		if (o->len == sizeof o->buf)
			out_flush(o);
	}
}

static void out_str(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

static void out_uint(struct out *o, unsigned v)
{
	char d[16], *p = d + sizeof d;

	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	out_put(o, p, (size_t)(d + sizeof d - p));
}

/* Untrusted bytes, escaped and cut to QUOTE_MAX, so that a message stays
 * one readable line whatever the input holds. */
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

/* The one error path: "su-exec: ", fmt, and ": strerror(err)" unless err
 * is 0, as one line on stderr. fmt knows %s (trusted text), %q (untrusted
 * bytes: a pointer and a size_t length) and %u. */
static noreturn void die(int status, int err, const char *fmt, ...)
{
	struct out o = { STDERR_FILENO, 0, "" };
	const char *p, *s;
	va_list ap;

	out_str(&o, "su-exec: ");
	va_start(ap, fmt);
	for (p = fmt; *p; p++) {
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
	struct out o = { STDOUT_FILENO, 0, "" };

	out_str(&o, text);
	out_flush(&o);
	quit(0);
}

/* ---- ids and specs (pure) -------------------------------------------- */

/* Group lists go to the kernel as they are. */
_Static_assert(sizeof(gid_t) == sizeof(uint32_t), "gid_t is 32 bits");

enum idparse { ID_OK, ID_NOT_NUMBER, ID_TOO_BIG };

/* The proof's words for a number (ACSL, checked by make prove): s[0, n)
 * is all digits, and the value they write in decimal. */
/*@ predicate digits{L}(char *s, integer n) =
      \forall integer i; 0 <= i < n ==> '0' <= s[i] <= '9';
    logic integer decimal{L}(char *s, integer n) =
      n <= 0 ? 0 : 10 * decimal(s, n - 1) + (s[n - 1] - '0');
*/

/* Only the digits 0-9 make a number: no sign, blank, base prefix or
 * exponent. Scans the whole text even past overflow, so "99999999999x" is
 * a name, not a number out of range. *id is 0 unless it is a number. */
/*@ requires \valid_read(s + (0 .. n - 1)) && \valid(id);
    assigns *id;
    behavior number:
      assumes n > 0 && digits(s, n) && decimal(s, n) <= 2147483647;
      ensures \result == ID_OK && *id == decimal(s, n);
    behavior too_big:
      assumes n > 0 && digits(s, n) && decimal(s, n) > 2147483647;
      ensures \result == ID_TOO_BIG;
    behavior not_number:
      assumes n == 0 || !digits(s, n);
      ensures \result == ID_NOT_NUMBER && *id == 0;
    complete behaviors;
    disjoint behaviors;
*/
static enum idparse parse_id(const char *s, size_t n, uint32_t *id)
{
	uint64_t v = 0;
	size_t i;

	*id = 0;
	if (n == 0)
		return ID_NOT_NUMBER;
	/*@ loop invariant 0 <= i <= n;
	    loop invariant digits(s, i);
	    loop invariant v <= 2147483647 ? v == decimal(s, i)
	                                   : decimal(s, i) > 2147483647;
	    loop invariant v <= 10 * 2147483647 + 9;
	    loop assigns i, v;
	    loop variant n - i;
	*/
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return ID_NOT_NUMBER;
		/* stops growing once too big: 10 * ID_MAX + 9 fits 64 bits */
		if (v <= ID_MAX)
			v = v * 10 + (uint64_t)(s[i] - '0');
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
/*@ requires \valid_read(s + (0 .. n - 1)) && \valid(r);
    assigns *r;
    ensures r->text == s && r->len == n;
    behavior none:
      assumes n == 0;
      ensures \result && r->kind == REF_NONE;
    behavior id:
      assumes n > 0 && digits(s, n) && decimal(s, n) <= 2147483647;
      ensures \result && r->kind == REF_ID && r->id == decimal(s, n);
    behavior too_big:
      assumes n > 0 && digits(s, n) && decimal(s, n) > 2147483647;
      ensures !\result;
    behavior name:
      assumes n > 0 && !digits(s, n);
      ensures \result && r->kind == REF_NAME;
    complete behaviors;
    disjoint behaviors;
*/
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

/* ---- database lines (pure) ------------------------------------------- */

struct span {
	const char *p;
	size_t n;
};

/* ' ', '\t', '\v', '\f' and '\r'. */
static bool is_blank(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r' && c != '\n');
}

/* Trims blanks (so CRLF files work); false for lines that say nothing:
 * empty and comments. A cut line keeps its last blanks: they do not end
 * the line, so they belong to a field. */
static bool usable_line(struct span *l, bool cut)
{
	const char *p = l->p, *end = l->p + l->n;

	while (p < end && is_blank(*p))
		p++;
	while (!cut && end > p && is_blank(end[-1]))
		end--;
	l->p = p;
	l->n = (size_t)(end - p);
	return p < end && *p != '#';
}

/* A line that holds a NUL byte is malformed. */
static bool has_nul(struct span l)
{
	return memchr(l.p, '\0', l.n) != NULL;
}

/* Splits l at ':' into at most max fields, the last one taking the rest;
 * returns how many. */
static size_t split_fields(struct span l, struct span *f, size_t max)
{
	const char *p = l.p, *end = l.p + l.n;
	size_t n;

	for (n = 0;; n++) {
		f[n].p = p;
		if (n + 1 == max) {
			f[n].n = (size_t)(end - p);
			return max;
		}
		while (p < end && *p != ':')
			p++;
		f[n].n = (size_t)(p - f[n].p);
		if (p == end)
			return n + 1;
		p++;
	}
}

static bool valid_id(struct span f, uint32_t *id)
{
	return parse_id(f.p, f.n, id) == ID_OK;
}

/* What a line means for a lookup. UNSURE: a line too long to read in full
 * that may be the one sought; the caller must fail rather than guess. */
enum verdict { NO_MATCH, MATCH, UNSURE };

/* Is field f want's key: the whole name, or a valid id equal to its id? */
static bool key_is(struct span f, const struct ref *want)
{
	uint32_t id;

	if (want->kind == REF_NAME)
		return f.n == want->len && !memcmp(f.p, want->text, f.n);
	return valid_id(f, &id) && id == want->id;
}

/* Could key field f of a line cut too long be want's? Unless a ':' ends
 * f before the cut (complete), only its beginning is known: a beginning
 * of the name, or digits, may go on to be it. */
static bool key_may_be(struct span f, bool complete, const struct ref *want)
{
	uint32_t id;

	if (complete)
		return key_is(f, want);
	if (want->kind == REF_NAME)
		return f.n <= want->len && !memcmp(f.p, want->text, f.n);
	return f.n == 0 || parse_id(f.p, f.n, &id) != ID_NOT_NUMBER;
}

/* A passwd line as the lookup needs it. */
struct pwline {
	uint32_t uid, gid;
	struct span name, home;
};

/* The passwd field that holds want's key: the name or the uid. */
static size_t passwd_key(const struct ref *want)
{
	return want->kind == REF_NAME ? 0 : 2;
}

/* Could whole line l be want's by the name it starts with? Most lines
 * show at once that they are another user's, with no split. Always for
 * an id. */
static bool name_may_match(struct span l, const struct ref *want)
{
	return want->kind != REF_NAME ||
	       (l.n > want->len && l.p[want->len] == ':' &&
		!memcmp(l.p, want->text, want->len));
}

/* The first LINE_MAX_BYTES of a longer passwd line: UNSURE when what
 * shows of its key could be want's, the fields after the cut unknown. */
static enum verdict cut_passwd_line(struct span l, const struct ref *want)
{
	struct span f[7];
	size_t n, key = passwd_key(want);

	if (has_nul(l))
		return NO_MATCH; /* malformed: as if absent */
	n = split_fields(l, f, 7);
	if (n <= key)
		return UNSURE; /* cut before the key */
	return key_may_be(f[key], key + 1 < n, want) ? UNSURE : NO_MATCH;
}

/* name:password:uid:gid:gecos:home:shell, judged against want, a name or
 * a uid. A line whose uid or gid is not a valid id is as if absent. */
static enum verdict passwd_line(struct span l, bool cut, const struct ref *want,
				struct pwline *pw)
{
	struct span f[7];
	size_t n;

	*pw = (struct pwline){ 0, 0, { "", 0 }, { "", 0 } };
	if (cut)
		return cut_passwd_line(l, want);
	if (!name_may_match(l, want))
		return NO_MATCH;
	n = split_fields(l, f, 7);
	if (n < 4 || !key_is(f[passwd_key(want)], want) ||
	    !valid_id(f[2], &pw->uid) || !valid_id(f[3], &pw->gid) || has_nul(l))
		return NO_MATCH; /* another user's, or malformed: as if absent */
	pw->name = f[0];
	if (n > 5)
		pw->home = f[5];
	return MATCH;
}

/* Is name one of the comma-separated members? */
static bool members_contain(struct span m, const char *name, size_t len)
{
	const char *p = m.p, *end = m.p + m.n;

	for (;;) {
		const char *stop = p;

		while (stop < end && *stop != ',')
			stop++;
		if (len && (size_t)(stop - p) == len && !memcmp(p, name, len))
			return true;
		if (stop == end)
			return false;
		p = stop + 1;
	}
}

/* ---- group id sets --------------------------------------------------- */

/* A set of at most GIDSET_CAPACITY gids: gids are appended, and sorted
 * and made unique only when it is full and at the end. The capacity is
 * twice what Linux takes, so that each sort comes after at least
 * GROUPS_MAX + 2 additions: the time stays O(n log n) however many of them
 * are duplicates, and more than GROUPS_MAX is seen, never cut. Sorted and
 * unique after gidset_compact. */
#define GIDSET_CAPACITY ((size_t)2 * (GROUPS_MAX + 1))
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

/* Drops the repeats from v[0, n), sorted: returns how many gids are
 * left, each once, in v[0, returned), ascending. (That these are the gids
 * of v[0, n) is tested, not proven: the provers stop there.) */
/*@ requires \valid(v + (0 .. n - 1));
    requires sorted: \forall integer i, j; 0 <= i <= j < n ==> v[i] <= v[j];
    assigns v[0 .. n - 1];
    ensures 0 <= \result <= n && (n > 0 ==> \result > 0);
    ensures increasing: \forall integer i; 0 < i < \result ==> v[i - 1] < v[i];
*/
static size_t drop_repeats(uint32_t *v, size_t n)
{
	size_t i, k = 0;

	/*@ loop invariant 0 <= k <= i <= n && (i > 0 ==> k > 0);
	    loop invariant unread: \forall integer m; i <= m < n ==>
	      v[m] == \at(v[m], Pre);
	    loop invariant increasing: \forall integer m; 0 < m < k ==>
	      v[m - 1] < v[m];
	    loop invariant last: \forall integer m; m == i - 1 >= 0 ==>
	      v[k - 1] == \at(v[m], Pre);
	    loop assigns i, k, v[0 .. n - 1];
	    loop variant n - i;
	*/
	for (i = 0; i < n; i++)
		if (k == 0 || v[i] != v[k - 1])
			v[k++] = v[i];
	return k;
}

static void gidset_compact(struct gidset *s)
{
	if (s->n < 2)
		return; /* the usual: the primary gid alone */
	sort_u32(s->v, s->n, gid_before, NULL);
	s->n = drop_repeats(s->v, s->n);
}

/* False when the set has outgrown GROUPS_MAX: the caller must fail. */
static bool gidset_add(struct gidset *s, uint32_t gid)
{
	if (s->n == GIDSET_CAPACITY) {
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

/* The line buffer: a line of LINE_MAX_BYTES and one read more fit; after
 * the reading, a group list read back (GROUPS_MAX gids and the primary). */
#define GROUP_LIST_BYTES ((GROUPS_MAX + 1) * sizeof(uint32_t))
#define LINE_BUF_SIZE (LINE_MAX_BYTES + CHUNK > GROUP_LIST_BYTES ? \
		       LINE_MAX_BYTES + CHUNK : GROUP_LIST_BYTES)

/* A database file read line by line, CHUNK bytes a read. A line is moved
 * to the front of the buffer when it runs past the end of what is read,
 * so only the first pages of the buffer are touched unless a line is
 * long. */
struct db {
	const char *path;
	int fd;            /* -1: the file is missing and reads as empty */
	bool eof;
	bool skipping;     /* in the rest of a line too long to read */
	char *buf;         /* LINE_BUF_SIZE bytes */
	size_t pos, end;   /* buf[pos, end): read but not handed out yet */
	size_t searched;   /* buf[pos, searched) holds no newline */
	size_t total;      /* bytes read from the file */
	unsigned line_no;  /* the number of the line last handed out */
};

static noreturn void die_too_big(const struct db *d)
{
	die(EXIT_OWN, 0, "cannot read %s: larger than %u MiB",
	    d->path, (unsigned)(DB_MAX_BYTES >> 20));
}

static noreturn void die_long_line(const struct db *d)
{
	die(EXIT_OWN, 0, "cannot read %s: line %u is longer than %u bytes",
	    d->path, d->line_no, (unsigned)LINE_MAX_BYTES);
}

/* Is fd on a file system whose files are made up as they are read (proc,
 * sys and kin)? They call themselves regular, with size 0, and may never
 * end: /proc/self/pagemap reads for minutes. The magic numbers are the
 * kernel's (include/uapi/linux/magic.h), not in musl's headers: proc,
 * sysfs, debugfs, tracefs, securityfs, cgroup, cgroup2, configfs, bpf,
 * pstore, efivarfs, selinuxfs, smackfs. */
static bool on_pseudo_fs(int fd)
{
	static const uint32_t magic[] = {
		0x9fa0, 0x62656572, 0x64626720, 0x74726163, 0x73636673,
		0x27e0eb, 0x63677270, 0x62656570, 0xcafe4a11, 0x6165676c,
		0xde5e81e4, 0xf97cff8c, 0x43415d53,
	};
	struct statfs sf;
	size_t i;

	if (fstatfs(fd, &sf) != 0)
		return false; /* then the size limit still bounds the read */
	for (i = 0; i < sizeof magic / sizeof magic[0]; i++)
		if ((uint32_t)sf.f_type == magic[i])
			return true;
	return false;
}

/* Opens path, or dies naming it; a missing file reads as empty. Only a
 * regular file is read. O_NONBLOCK: a FIFO put in place of the file must
 * not hang us. */
static void db_open(struct db *d, const char *path, char *buf)
{
	struct stat st;

	memset(d, 0, sizeof *d);
	d->path = path;
	d->buf = buf;
	d->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
		     O_LARGEFILE);
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
	if ((uint64_t)st.st_size > DB_MAX_BYTES)
		die_too_big(d);
}

static void db_close(struct db *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/* Moves what is not handed out yet to the front of the buffer, then
 * appends what one read() gives; false at end of file, which is where
 * read() says so. The caller leaves at most LINE_MAX_BYTES, so a CHUNK
 * fits; reads end at the CHUNK mark while lines are short. */
static bool db_fill(struct db *d)
{
	ssize_t n;

	if (d->eof)
		return false;
	d->end -= d->pos;
	d->searched -= d->pos;
	memmove(d->buf, d->buf + d->pos, d->end);
	d->pos = 0;
	do
		n = read(d->fd, d->buf + d->end,
			 d->end < CHUNK ? CHUNK - d->end : CHUNK);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die(EXIT_OWN, errno, "cannot read %s", d->path);
	d->end += (size_t)n;
	d->total += (size_t)n;
	/* a file that grows as it is read stops at the limit too */
	if (d->total > DB_MAX_BYTES)
		die_too_big(d);
	d->eof = n == 0;
	return n > 0;
}

/* Where the line at pos ends: its newline, or the end of what is read
 * when the file ends first or the line is already too long. Each byte is
 * searched once. */
static size_t db_line_end(struct db *d)
{
	for (;;) {
		const char *nl = memchr(d->buf + d->searched, '\n',
					d->end - d->searched);

		if (nl)
			return (size_t)(nl - d->buf);
		d->searched = d->end;
		if (d->end - d->pos > LINE_MAX_BYTES || !db_fill(d))
			return d->end;
	}
}

/* Skips the rest of a line too long to read; false at end of file. */
static bool db_skip_rest(struct db *d)
{
	const char *nl;

	while (!(nl = memchr(d->buf + d->pos, '\n', d->end - d->pos))) {
		d->pos = d->searched = d->end;
		if (!db_fill(d))
			return false;
	}
	d->pos = d->searched = (size_t)(nl + 1 - d->buf);
	d->skipping = false;
	return true;
}

/*
 * The one line reader: the next line without its newline, valid until
 * the next call, numbered in d->line_no; false at end of file. A line
 * longer than LINE_MAX_BYTES comes cut to that length, with *cut set, and
 * the rest of it is skipped: only what shows before the cut is judged.
 */
static bool db_next_line(struct db *d, struct span *l, bool *cut)
{
	size_t stop;

	if (d->skipping && !db_skip_rest(d))
		return false;
	stop = db_line_end(d);
	if (stop == d->pos && stop == d->end)
		return false;
	d->line_no++;
	l->p = d->buf + d->pos;
	*cut = stop - d->pos > LINE_MAX_BYTES;
	if (*cut) {
		l->n = LINE_MAX_BYTES;
		d->pos = d->searched = d->pos + LINE_MAX_BYTES;
		d->skipping = true;
		return true;
	}
	l->n = stop - d->pos;
	/* the last line of a file may lack its newline */
	d->pos = d->searched = stop < d->end ? stop + 1 : stop;
	return true;
}

/* Trims l; false for a line that says nothing. A line cut while still
 * blank could hold anything after the cut. */
static bool usable_entry(const struct db *d, struct span *l, bool cut)
{
	if (usable_line(l, cut))
		return true;
	if (cut && l->n == 0)
		die_long_line(d);
	return false;
}

/* Is verdict v a match? Dies on UNSURE: never a partial answer. */
static bool is_match(const struct db *d, enum verdict v)
{
	if (v == UNSURE)
		die_long_line(d);
	return v == MATCH;
}

/* ---- resolving the target -------------------------------------------- */

/* Storage with fixed bounds, zero until used. Static, it costs only the
 * pages touched, without an allocator. */
struct work {
	/* the line buffer; after the reading, the group list read back */
	_Alignas(uint64_t) char line[LINE_BUF_SIZE];
	struct gref refs[1 + GROUPS_MAX];    /* GROUP, then each -G */
	uint32_t by_name[1 + GROUPS_MAX];    /* the named refs, sorted */
	uint32_t groups[GIDSET_CAPACITY];    /* the target's gids */
	char user[LINE_MAX_BYTES + 8];       /* its name, "HOME=" and home */
};

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
	char *text = w->user;

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

/* Fills *t from the first passwd line for want; false when no line
 * names it. */
static bool find_user(const char *path, const struct ref *want,
		      struct work *w, struct ident *t)
{
	struct pwline pw;
	struct db d;
	struct span l;
	bool cut, found = false;

	db_open(&d, path, w->line);
	while (!found && db_next_line(&d, &l, &cut))
		found = usable_entry(&d, &l, cut) &&
			is_match(&d, passwd_line(l, cut, want, &pw));
	if (found)
		keep_user(&pw, w, t);
	db_close(&d);
	return found;
}

/* One pass over the group file: resolves the named grefs and, when member
 * is set, collects the gid of every group that lists it. */
struct group_scan {
	struct gref *refs;
	uint32_t *by_name;     /* the indexes of the named refs, by name */
	size_t nnames;
	size_t pending;        /* named refs not found yet */
	const char *member;    /* NULL: memberships are not wanted */
	size_t member_len;
	struct gidset *out;
	bool too_many;         /* out is full: more than GROUPS_MAX */
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

/* The position in the sorted names of the first ref named name and not
 * found yet, or nnames: a binary search, so that a line costs
 * log(names), not names. A name given twice sits twice in a row. */
static size_t first_named(const struct group_scan *s, struct span name)
{
	size_t lo = 0, hi = s->nnames;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (compare_spans(ref_text(named(s, mid)), name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->nnames && !named(s, lo)->found &&
	    !compare_spans(ref_text(named(s, lo)), name))
		return lo;
	return s->nnames;
}

/* Could name field f of a line cut too long name a ref not found yet?
 * complete: f is whole. Rare, so each ref is tried in turn. */
static bool cut_names_pending(const struct group_scan *s, struct span f,
			      bool complete)
{
	size_t i;

	for (i = 0; i < s->nnames; i++)
		if (!named(s, i)->found &&
		    key_may_be(f, complete, &named(s, i)->ref))
			return true;
	return false;
}

/* A group line as the scan needs it. */
struct grline {
	uint32_t gid;
	struct span name;
	size_t named;        /* first_named of its name; nnames for none */
	bool lists_member;
};

/* The first LINE_MAX_BYTES of a longer group line: UNSURE when the rest
 * could name a group sought or list the member. */
static enum verdict cut_group_line(const struct group_scan *s, struct span l)
{
	struct span f[4];
	size_t n;
	uint32_t gid;

	if (has_nul(l))
		return NO_MATCH; /* malformed: as if absent */
	n = split_fields(l, f, 4);
	if (n == 4 && !valid_id(f[2], &gid))
		return NO_MATCH;
	if (cut_names_pending(s, f[0], n > 1))
		return UNSURE;
	/* the members not read could name the user */
	return s->member ? UNSURE : NO_MATCH;
}

/* name:password:gid:members, judged for scan s: MATCH when the line names
 * a group still sought or lists the member (*gr says which). A line whose
 * gid is not a valid id is as if absent. */
static enum verdict group_line(struct span l, bool cut,
			       const struct group_scan *s, struct grline *gr)
{
	struct span f[4];
	size_t n;

	if (cut)
		return cut_group_line(s, l);
	n = split_fields(l, f, 4);
	if (n < 3)
		return NO_MATCH; /* malformed: as if absent */
	gr->name = f[0];
	gr->named = s->pending ? first_named(s, f[0]) : s->nnames;
	gr->lists_member = s->member && n == 4 &&
			   members_contain(f[3], s->member, s->member_len);
	if (gr->named == s->nnames && !gr->lists_member)
		return NO_MATCH;
	return valid_id(f[2], &gr->gid) && !has_nul(l) ? MATCH : NO_MATCH;
}

/* Takes what a matching group line gives: the gid of every ref it names
 * (a name given twice is found twice, by the same line), a membership. */
static void use_group_line(struct group_scan *s, const struct grline *gr)
{
	size_t i;

	for (i = gr->named; i < s->nnames &&
	     !compare_spans(ref_text(named(s, i)), gr->name); i++) {
		named(s, i)->gid = gr->gid;
		named(s, i)->found = true;
		s->pending--;
	}
	if (gr->lists_member)
		s->too_many = !gidset_add(s->out, gr->gid);
}

static bool scan_done(const struct group_scan *s)
{
	return s->too_many || (!s->member && !s->pending);
}

/* Reads the group file for scan s, each line in turn, until nothing is
 * left to find. */
static void scan_groups(const char *path, struct group_scan *s, char *buf)
{
	struct grline gr;
	struct db d;
	struct span l;
	bool cut;

	if (scan_done(s))
		return; /* numeric ids only: the file is not needed */
	db_open(&d, path, buf);
	while (!scan_done(s) && db_next_line(&d, &l, &cut))
		if (usable_entry(&d, &l, cut) &&
		    is_match(&d, group_line(l, cut, s, &gr)))
			use_group_line(s, &gr);
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
	s->by_name = w->by_name;
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

/* Dies naming the first group that no line named; not past the limit,
 * where the scan may stop before a name. */
static void check_groups_found(const struct gref *refs, size_t nrefs,
			       bool fits, const char *group)
{
	size_t i;

	for (i = 0; fits && i < nrefs; i++)
		if (!refs[i].found)
			die(EXIT_OWN, 0, "unknown group %q: no such group in %s",
			    refs[i].ref.text, refs[i].ref.len, group);
}

/* Adds the primary gid and the --group-add gids to the memberships; dies
 * when they need more than GROUPS_MAX. */
static void add_groups(struct ident *t, const struct gref *refs, size_t nrefs,
		       bool fits, const char *spec)
{
	size_t i;

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

/* HOME for a target without a home of its own. */
static char root_home[] = "HOME=/";

/* Resolves USER[:GROUP] plus the added groups into *t, with Docker's
 * --user rules; dies naming the culprit when something is unknown or bad.
 * refs[0] holds GROUP's text (empty without one), the rest --group-add's. */
static void resolve(const char *passwd, const char *group, const char *spec,
		    size_t user_len, struct gref *refs, size_t nrefs,
		    struct work *w, struct ident *t)
{
	struct group_scan scan = { 0 };
	bool fits;

	resolve_user(passwd, spec, user_len, w, t);
	t->groups.v = w->groups;
	t->groups.n = 0;
	scan.out = &t->groups;
	prepare_scan(refs, nrefs, w, &scan);
	/* a passwd line with an empty name matched by uid names no member */
	if (refs[0].ref.kind == REF_NONE && t->name_len) {
		scan.member = t->name;
		scan.member_len = t->name_len;
	}
	scan_groups(group, &scan, w->line);
	gidset_compact(&t->groups);
	fits = !scan.too_many && t->groups.n <= GROUPS_MAX;
	check_groups_found(refs, nrefs, fits, group);
	if (refs[0].ref.kind != REF_NONE)
		t->gid = refs[0].gid;
	if (!t->home_entry || !t->home_entry[5])
		t->home_entry = root_home;
	t->home = t->home_entry + 5;
	add_groups(t, refs, nrefs, fits, spec);
}

/* ---- switching ------------------------------------------------------- */

/* The kernel's capability ABI: musl's headers lack <linux/capability.h>. */
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
/* CAP_SETGID and CAP_SETUID, bits 6 and 7 of the first word. */
#define CAP_SET_IDS ((1u << 6) | (1u << 7))

/* d starts full, so a capget that says it succeeded but wrote nothing
 * reads as every capability held. */
static bool read_capabilities(struct cap_data d[2])
{
	struct cap_header h = { CAP_VERSION_3, 0 };

	memset(d, 0xff, 2 * sizeof *d);
	return syscall(SYS_capget, &h, d) == 0;
}

/* Leaving uid 0 clears the permitted and effective sets, but not the
 * inheritable one (CVE-2022-24769), and a caller that already is the
 * target may hold any (ambient ones from a runtime's --cap-add): all are
 * cleared, which needs no privilege. Ambient ones stay within permitted
 * and inheritable, so none is left either. */
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

/* Could the caller set ids other than its own? Only one that could not
 * may skip the switch: a faked read-back then keeps nothing it could have
 * dropped. A failed capget reads as "it could". */
static bool may_set_ids(void)
{
	struct cap_data d[2];

	return !read_capabilities(d) ||
	       ((d[0].effective | d[0].permitted) & CAP_SET_IDS) != 0;
}

/* Did the process start with t's uid and gid, real and effective? The
 * kernel gives them in the aux vector, without a system call; they have
 * not changed since. Only such a caller can already be the target. */
static bool started_as(const struct ident *t)
{
	return getauxval(AT_UID) == t->uid && getauxval(AT_EUID) == t->uid &&
	       getauxval(AT_GID) == t->gid && getauxval(AT_EGID) == t->gid;
}

/* Do every uid and gid slot hold t's? The read-backs here start as
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

/* Does the kernel hold exactly t's groups? getgroups fails (EINVAL) when
 * it holds more than t has. room has space for one more, for t's gid when
 * with_gid counts it as listed: a runtime may or may not list it. */
static bool groups_are(const struct ident *t, uint32_t *room, bool with_gid)
{
	struct gidset have = { room, 0 };
	int n;

	memset(room, 0xff, t->groups.n * sizeof *room);
	n = getgroups((int)t->groups.n, (gid_t *)room);
	if (n < 0 || (size_t)n > t->groups.n)
		return false;
	have.n = (size_t)n;
	if (with_gid)
		have.v[have.n++] = t->gid;
	gidset_compact(&have);
	return gidset_equal(&have, &t->groups);
}

/* Why a switch call failed. EPERM: the privilege is missing. EINVAL: an
 * id the user namespace does not map, the one cause left (su-exec never
 * passes more than NGROUPS_MAX groups, nor an id of -1). */
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

/* The groups and the gid while the uid still allows it, the uid last. */
static void set_ids(const struct ident *t)
{
	if (syscall(SYS_SETGROUPS, t->groups.n, t->groups.v) != 0)
		die(EXIT_OWN, 0, "cannot set groups: %s%s", strerror(errno),
		    switch_hint(errno, SET_GROUPS));
	if (syscall(SYS_SETRESGID, t->gid, t->gid, t->gid) != 0)
		die(EXIT_OWN, 0, "cannot set gid %u: %s%s", t->gid,
		    strerror(errno), switch_hint(errno, SET_GID));
	if (syscall(SYS_SETRESUID, t->uid, t->uid, t->uid) != 0)
		die(EXIT_OWN, 0, "cannot set uid %u: %s%s", t->uid,
		    strerror(errno), switch_hint(errno, SET_UID));
}

/* Becomes t, or dies. A caller that already is t and could not set other
 * ids (rootless, runAsNonRoot) makes no privileged call. Either way no
 * capability is left unless t is root. room holds GROUPS_MAX + 1 gids. */
static void switch_identity(const struct ident *t, uint32_t *room)
{
	if (started_as(t) && !may_set_ids() && ids_are(t) &&
	    groups_are(t, room, true)) {
		if (t->uid != 0)
			drop_capabilities();
		return;
	}
	set_ids(t);
	if (t->uid != 0) {
		drop_capabilities();
		if (syscall(SYS_SETUID, 0) == 0)
			die(EXIT_OWN, 0, "could regain uid 0 after switching to uid %u",
			    t->uid);
	}
	if (!ids_are(t))
		die(EXIT_OWN, 0, "uid %u gid %u did not take effect", t->uid,
		    t->gid);
	/* setgroups leaves exactly the list it was given */
	if (!groups_are(t, room, false))
		die(EXIT_OWN, 0, "the group list did not take effect");
}

/* ---- running the command --------------------------------------------- */

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The caller's environment with HOME set by entry ("HOME=DIR"): the first
 * HOME replaced and later ones dropped, in place, or, when there was none,
 * a copy with entry appended. */
static char **env_with_home(char *entry)
{
	char **env = environ, **copy;
	size_t n, k = 0, homes = 0;

	for (n = 0; env && env[n]; n++) {
		if (!starts_with(env[n], "HOME="))
			env[k++] = env[n];
		else if (homes++ == 0)
			env[k++] = entry;
	}
	if (homes) {
		env[k] = NULL;
		return env;
	}
	/* the one allocation with no fixed bound, zeroed by the kernel: the
	 * slot after entry ends the copy */
	copy = mmap(NULL, (n + 2) * sizeof *copy, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (copy == MAP_FAILED)
		die(EXIT_OWN, errno, "cannot allocate memory");
	for (k = 0; k < n; k++)
		copy[k] = env[k];
	copy[n] = entry;
	return copy;
}

/* 127 when there is nothing at path (asked as the target, after the
 * switch), 126 when there is but it cannot run; a file that is no valid
 * executable is never handed to a shell. */
static noreturn void die_exec(const char *path, int err)
{
	size_t len = strlen(path);

	if ((err == ENOENT || err == ENOTDIR) && access(path, F_OK) != 0)
		die(EXIT_NOT_FOUND, err, "cannot run %q", path, len);
	if (err == ENOENT)
		die(EXIT_CANNOT_RUN, 0, "cannot run %q: its interpreter or "
		    "loader is missing", path, len);
	if (err == ENOEXEC)
		die(EXIT_CANNOT_RUN, 0, "cannot run %q: not an executable "
		    "format the kernel knows", path, len);
	die(EXIT_CANNOT_RUN, err, "cannot run %q", path, len);
}

#define PATH_BYTES 4096

/* The first PATH entry where the command exists but cannot run. */
struct failed_entry {
	int err;
	char path[PATH_BYTES];
};

/* Runs argv[0] from PATH entry dir (dlen bytes, none for the current
 * directory). Comes back where execvp(3) would go on to the next entry,
 * and when the path is too long for this one. */
static void exec_in_entry(const char *dir, size_t dlen, char **argv,
			  char **envp, struct failed_entry *failed)
{
	size_t clen = strlen(argv[0]);
	char path[PATH_BYTES];
	int err;

	if (dlen + 1 + clen >= PATH_BYTES)
		return;
	memcpy(path, dir, dlen);
	path[dlen] = '/';
	memcpy(path + dlen + !!dlen, argv[0], clen + 1);
	execve(path, argv, envp);
	err = errno;
	if (err != ENOENT && err != ENOTDIR && err != EACCES &&
	    err != ENAMETOOLONG)
		die_exec(path, err);
	if (!failed->err && (err == EACCES || err == ENOENT) &&
	    access(path, F_OK) == 0) {
		failed->err = err;
		memcpy(failed->path, path, sizeof path);
	}
}

/* The PATH of env as getenv(3) finds it (the first), else Docker's. */
static const char *path_variable(char **env)
{
	char **e;

	for (e = env; e && *e; e++)
		if (starts_with(*e, "PATH="))
			return *e + 5;
	return DEFAULT_PATH;
}

/* Runs argv[0] as execvp(3) would, but after the switch (so the target's
 * own permissions decide) and never through /bin/sh. An entry of PATH
 * where the command exists but cannot run is reported only if no later
 * entry runs it. */
static noreturn void exec_command(char **argv, char **envp)
{
	const char *cmd = argv[0], *dir = path_variable(envp);
	struct failed_entry failed = { 0, "" };

	if (strchr(cmd, '/')) {
		execve(cmd, argv, envp);
		die_exec(cmd, errno);
	}
	/* an empty name is in no entry */
	while (*cmd) {
		const char *end = strchrnul(dir, ':');

		exec_in_entry(dir, (size_t)(end - dir), argv, envp, &failed);
		if (!*end)
			break;
		dir = end + 1;
	}
	if (failed.err)
		die_exec(failed.path, failed.err);
	die(EXIT_NOT_FOUND, 0, "cannot run %q: command not found", cmd,
	    strlen(cmd));
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

/* Options come only before USER, which is the first argument that is
 * neither an option nor an option's value; returns its index. */
static int parse_options(int argc, char **argv, struct opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || a[1] == '\0')
			break;
		if (!strcmp(a, "--"))
			return i + 1;
		if (a[1] == '-')
			parse_long_option(o, argv, &i);
		else
			parse_short_options(o, argv, &i);
	}
	return i;
}

static void parse_args(int argc, char **argv, struct work *w, struct opts *o)
{
	const char *group;
	int i;

	o->print = o->no_new_privs = false;
	o->refs = w->refs;
	o->nrefs = 1;
	i = parse_options(argc, argv, o);
	if (i >= argc)
		die(EXIT_OWN, 0, "missing USER (%s)", usage_line);
	o->spec = argv[i];
	o->cmd = argv + i + 1;
	if (!o->cmd[0] && !o->print)
		die(EXIT_OWN, 0, "missing COMMAND (%s)", usage_line);
	o->user_len = strcspn(o->spec, ":");
	group = o->spec + o->user_len;
	o->refs[0].ref.text = *group ? group + 1 : "";
	o->refs[0].ref.len = strlen(o->refs[0].ref.text);
}

/* uid=N gid=N groups=G,... home=DIR: the primary gid first, then the
 * others ascending. */
static noreturn void print_identity(const struct ident *t)
{
	struct out o = { STDOUT_FILENO, 0, "" };
	size_t i;

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
