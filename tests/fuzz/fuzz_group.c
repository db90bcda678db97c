/* SPDX-License-Identifier: MIT
 *
 * The group reader (scan_groups) on arbitrary file contents.
 *
 * Input: a header, a NUL byte, then the file (with fz_expand's
 * repetition). The header's lines are the member whose groups are
 * collected (an empty first line: memberships not wanted, as with an
 * explicit GROUP) and then up to 8 groups to resolve, each written as on
 * the command line (an empty one stands for "no GROUP"). Without a NUL
 * byte the whole input is the file, the member "app" and the group "staff".
 *
 * The result is compared with an independent reading of the contract that
 * sees every line whole: the first valid line of a name resolves it; every
 * valid line listing the member adds its gid; a line over 1 MiB that
 * concerns the lookup must be an error, never skipped; malformed lines
 * count for nothing.
 */
#include "fuzz.h"

#define NREFS 8

static struct fz_file file;

struct ref_scan {
	const char *member;
	size_t member_len;
	bool collect;
	size_t nrefs;
	const struct ref *refs;
	bool found[NREFS];
	uint32_t gid[NREFS];
	uint32_t *gids; /* the member's groups, as listed */
	size_t ngids, cap;
	enum { S_DONE, S_ERROR } kind;
	unsigned error_line;
	struct ref_may may;
};

static bool ref_scan_done(const struct ref_scan *s)
{
	size_t i;

	if (s->collect)
		return false;
	for (i = 0; i < s->nrefs; i++)
		if (s->refs[i].kind == REF_NAME && !s->found[i])
			return false;
	return true;
}

/* A whole line: does it resolve a name or list the member? When apply is
 * set, it takes effect. False for malformed or unusable lines. */
static bool ref_group_line(struct ref_scan *s, const char *p, size_t n,
			   bool apply, bool *concerns)
{
	const char *f, *m;
	size_t fn, mn, nf, i;
	uint32_t gid;

	*concerns = false;
	if (!ref_usable(&p, &n))
		return false;
	nf = ref_count_fields(p, n, 4);
	if (nf < 3)
		return false;
	ref_field(p, n, 2, 3, &f, &fn);
	if (!ref_valid_id(f, fn, &gid))
		return false;
	ref_field(p, n, 0, 3, &f, &fn);
	for (i = 0; i < s->nrefs; i++) {
		const struct ref *r = &s->refs[i];

		if (r->kind != REF_NAME || s->found[i] || fn != r->len ||
		    memcmp(f, r->text, fn))
			continue;
		*concerns = true;
		if (apply) {
			s->found[i] = true;
			s->gid[i] = gid;
		}
	}
	if (s->collect && nf == 4) {
		ref_field(p, n, 3, 3, &m, &mn);
		if (ref_member(m, mn, s->member, s->member_len)) {
			*concerns = true;
			if (apply) {
				if (s->ngids == s->cap) {
					s->cap = s->cap ? 2 * s->cap : 64;
					s->gids = realloc(s->gids, s->cap * sizeof *s->gids);
					FZ_CHECK(s->gids, "out of memory");
				}
				s->gids[s->ngids++] = gid;
			}
		}
	}
	return true;
}

/* Could the visible part of a long line, cut at the limit, still concern
 * the lookup? Unless it shows a comment, a NUL byte or a malformed gid
 * whole, it does when memberships are wanted (members lie past the cut),
 * and when its name could still be one of those sought. */
static bool cut_could_concern(const struct ref_scan *s, const char *p)
{
	const char *v, *f;
	size_t vn, fn, i;
	uint32_t gid;

	if (!ref_visible(p, &v, &vn))
		return false;
	if (ref_count_fields(v, vn, 4) == 4) {
		ref_field(v, vn, 2, 3, &f, &fn);
		if (!ref_valid_id(f, fn, &gid))
			return false;
	}
	if (s->collect)
		return true;
	for (i = 0; i < s->nrefs; i++)
		if (s->refs[i].kind == REF_NAME && !s->found[i] &&
		    ref_key_could_be(v, vn, 0, &s->refs[i]))
			return true;
	return false;
}

static void ref_scan_groups(const char *buf, size_t len, struct ref_scan *s)
{
	struct ref_line l = { NULL, 0, 0 };
	size_t pos = 0;

	s->kind = S_DONE;
	s->may.n = 0;
	if (ref_scan_done(s))
		return;
	while (ref_next_line(buf, len, &pos, &l)) {
		enum ref_len how = ref_length(l.n);
		bool concerns, valid;

		if (how == LEN_CUT) {
			ref_group_line(s, l.p, l.n, false, &concerns);
			if (concerns || cut_could_concern(s, l.p)) {
				s->kind = S_ERROR;
				s->error_line = l.no;
				return;
			}
		} else {
			valid = ref_group_line(s, l.p, l.n, true, &concerns);
			(void)valid;
		}
		if (how != LEN_WHOLE && (concerns || cut_could_concern(s, l.p)))
			ref_may_add(&s->may, l.no);
		if (ref_scan_done(s))
			return;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static size_t sort_unique(uint32_t *v, size_t n)
{
	size_t i, k = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_u32);
	for (i = 0; i < n; i++)
		if (k == 0 || v[i] != v[k - 1])
			v[k++] = v[i];
	return k;
}

/* The program's line buffer, and room for the groups found (resolve()
 * takes as much from the program's storage). */
static struct work w;
static uint32_t found_gids[GIDSET_CAPACITY];

static int run_scan(struct group_scan *scan)
{
	int st = setjmp(fuzz_exit);

	if (st == 0) {
		scan_groups(file.path, scan, w.line);
		return 0;
	}
	return st;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_file_init(&file, "group");
	return 0;
}

/* The header: the member, then the groups; false when one is an id out of
 * range (the program stops before reading the file then), or when the
 * member is no name the program could look for. */
static bool parse_header(const char *h, size_t n, struct ref_scan *s,
			 struct gref *grefs, struct ref *refs)
{
	const char *end = h + n, *nl = memchr(h, '\n', n);

	s->member = h;
	s->member_len = (size_t)((nl ? nl : end) - h);
	s->collect = s->member_len > 0;
	/* The member is the name of a passwd line: its first field, after
	 * the line's blanks. It never holds a ':' and never starts with a
	 * blank, so the program never looks for one that does (the last
	 * field of a group line may hold ':'s, but no such name). */
	if (memchr(s->member, ':', s->member_len) ||
	    (s->collect && is_blank(s->member[0])))
		return false;
	s->nrefs = 0;
	h = nl ? nl + 1 : end;
	while (nl && s->nrefs < NREFS) {
		struct gref *g = &grefs[s->nrefs];
		size_t k;

		nl = memchr(h, '\n', (size_t)(end - h));
		k = (size_t)((nl ? nl : end) - h);
		if (!parse_ref(h, k, &g->ref))
			return false;
		g->found = g->ref.kind != REF_NAME;
		g->gid = g->ref.id;
		refs[s->nrefs] = g->ref;
		s->found[s->nrefs] = g->found;
		s->gid[s->nrefs] = g->gid;
		s->nrefs++;
		h = nl ? nl + 1 : end;
	}
	s->refs = refs;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char dflt[] = "app\nstaff";
	static struct ref_scan s;
	/* as the program's refs, zero until used: no input sees another's */
	struct gref grefs[NREFS] = { 0 };
	struct ref refs[NREFS] = { 0 };
	struct gidset out = { found_gids, 0 };
	struct group_scan scan;
	const uint8_t *nul = memchr(data, 0, size);
	const char *header = dflt;
	size_t header_len = sizeof dflt - 1, len, n, i;
	char *buf;
	int st;

	if (nul) {
		header = (const char *)data;
		header_len = (size_t)(nul - data);
		size -= header_len + 1;
		data = nul + 1;
	}
	if (!parse_header(header, header_len, &s, grefs, refs))
		return 0;
	buf = fz_expand(data, size, &len);
	fz_file_set(&file, buf, len);
	s.ngids = 0;
	ref_scan_groups(buf, len, &s);

	/* as resolve() readies it */
	memset(&scan, 0, sizeof scan);
	scan.out = &out;
	prepare_scan(grefs, s.nrefs, &w, &scan);
	if (s.collect) {
		scan.member = s.member;
		scan.member_len = s.member_len;
	}
	fz_begin();
	st = run_scan(&scan);
	n = sort_unique(s.gids, s.ngids);
	if (st) {
		fz_check_reader_died(st, file.path,
				     s.kind == S_ERROR ? s.error_line : 0, &s.may);
		return 0;
	}
	fz_expect_clean();
	FZ_CHECK(fz_out[0].len == 0 && fz_out[1].len == 0, "output on success");
	/* Over the limit, the scan may stop: resolve() then fails. */
	FZ_CHECK(!scan.too_many || (s.collect && n > GROUPS_MAX),
		 "too_many=%d with %zu groups", scan.too_many, n);
	FZ_CHECK(out.n <= GIDSET_CAPACITY, "%zu groups kept", out.n);
	if (scan.too_many)
		return 0;
	FZ_CHECK(s.kind != S_ERROR, "line %u is over 1 MiB and concerns the "
		 "lookup, yet it was skipped", s.error_line);
	for (i = 0; i < s.nrefs; i++) {
		FZ_CHECK(grefs[i].found == s.found[i], "group %zu: found=%d, "
			 "contract says %d", i, grefs[i].found, s.found[i]);
		FZ_CHECK(!s.found[i] || grefs[i].gid == s.gid[i],
			 "group %zu: gid %u, expected %u", i, grefs[i].gid,
			 s.gid[i]);
		/* an unfound name's gid is never used: unknown, it ends the run */
		FZ_CHECK(!grefs[i].found || grefs[i].gid <= ID_MAX,
			 "gid out of range");
	}
	FZ_CHECK(s.collect || out.n == 0, "memberships collected unasked");
	if (out.n) /* as the program calls it: never on an empty set */
		gidset_compact(&out);
	FZ_CHECK(out.n == n && (n == 0 ||
		 !memcmp(out.v, s.gids, n * sizeof *out.v)),
		 "memberships: %zu groups, contract says %zu", out.n, n);
	for (i = 0; i < out.n; i++)
		FZ_CHECK(out.v[i] <= ID_MAX, "gid out of range");
	return 0;
}
