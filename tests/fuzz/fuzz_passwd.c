/* SPDX-License-Identifier: MIT
 *
 * The passwd reader (find_user) on arbitrary file contents.
 *
 * Input: the target (a name or a decimal uid, as USER is written), a NUL
 * byte, then the file (with fz_expand's repetition, so long lines are
 * within reach). Without a NUL byte the whole input is the file and the
 * target is "app". The file goes to a memfd that the program opens by its
 * /proc/self/fd path, through the real reading code.
 *
 * The answer is compared with an independent reading of the contract,
 * which sees every line whole: the first valid line for the target wins;
 * a line that cannot be read whole (over 1 MiB) and concerns the target
 * must be an error; one that visibly does not must be skipped.
 */
#include "fuzz.h"

static struct fz_file file;

struct ref_pw {
	enum { PW_UNUSABLE, PW_OTHER, PW_KEY, PW_MATCH } verdict;
	uint32_t uid, gid;
	const char *name, *home;
	size_t name_len, home_len;
};

/* One whole line against the target: UNUSABLE (blank, comment, NUL),
 * OTHER (another user), KEY (the target but malformed), MATCH. */
static void ref_passwd_line(const char *p, size_t n, const struct ref *want,
			    struct ref_pw *pw)
{
	const char *f;
	size_t fn, key = want->kind == REF_NAME ? 0 : 2;
	uint32_t id;

	pw->verdict = PW_UNUSABLE;
	if (!ref_usable(&p, &n))
		return;
	pw->verdict = PW_OTHER;
	if (!ref_field(p, n, key, 6, &f, &fn))
		return;
	if (want->kind == REF_NAME ?
	    fn != want->len || memcmp(f, want->text, fn) :
	    !ref_valid_id(f, fn, &id) || id != want->id)
		return;
	pw->verdict = PW_KEY;
	if (ref_count_fields(p, n, 7) < 4)
		return;
	ref_field(p, n, 2, 6, &f, &fn);
	if (!ref_valid_id(f, fn, &pw->uid))
		return;
	ref_field(p, n, 3, 6, &f, &fn);
	if (!ref_valid_id(f, fn, &pw->gid))
		return;
	ref_field(p, n, 0, 6, &pw->name, &pw->name_len);
	if (!ref_field(p, n, 5, 6, &pw->home, &pw->home_len)) {
		pw->home = "";
		pw->home_len = 0;
	}
	pw->verdict = PW_MATCH;
}

/* Could the visible part of a long line, cut at the limit, still be the
 * target's? Then the reader must fail on it rather than skip it. */
static bool cut_could_be(const char *p, const struct ref *want)
{
	const char *v;
	size_t vn;

	return ref_visible(p, &v, &vn) &&
	       ref_key_could_be(v, vn, want->kind == REF_NAME ? 0 : 2, want);
}

struct ref_result {
	enum { R_NONE, R_FOUND, R_ERROR } kind;
	unsigned error_line;
	struct ref_pw pw;
	struct ref_may may;
};

static void ref_find_user(const char *buf, size_t len, const struct ref *want,
			  struct ref_result *r)
{
	struct ref_line l = { NULL, 0, 0 };
	size_t pos = 0;

	r->kind = R_NONE;
	r->may.n = 0;
	while (ref_next_line(buf, len, &pos, &l)) {
		struct ref_pw pw;
		enum ref_len how = ref_length(l.n);

		ref_passwd_line(l.p, l.n, want, &pw);
		if (how == LEN_WHOLE) {
			if (pw.verdict == PW_MATCH) {
				r->kind = R_FOUND;
				r->pw = pw;
				return;
			}
			continue;
		}
		/* Long: the reader may only see its first 1 MiB. */
		if (pw.verdict == PW_KEY || pw.verdict == PW_MATCH) {
			if (how == LEN_CUT) {
				r->kind = R_ERROR;
				r->error_line = l.no;
				return;
			}
			ref_may_add(&r->may, l.no);
			if (pw.verdict == PW_MATCH) {
				r->kind = R_FOUND;
				r->pw = pw;
				return;
			}
		} else if (cut_could_be(l.p, want)) {
			if (how == LEN_CUT) {
				r->kind = R_ERROR;
				r->error_line = l.no;
				return;
			}
			ref_may_add(&r->may, l.no);
		}
	}
}

static bool span_is(const char *s, const char *p, size_t n)
{
	return strlen(s) == n && !memcmp(s, p, n);
}

/* The program's fixed storage, reused between runs: every list in it is
 * written before it is read. */
static struct work w;

static int run_find_user(const struct ref *want, struct ident *t, bool *found)
{
	int st = setjmp(fuzz_exit);

	if (st == 0) {
		*found = find_user(file.path, want, &w, t);
		return 0;
	}
	return st;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_file_init(&file, "passwd");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ident t;
	static struct ref_result r;
	const uint8_t *nul = memchr(data, 0, size);
	const char *target = "app";
	size_t target_len = 3, len;
	struct ref want;
	char *buf;
	uint32_t id = 0;
	enum ref_num num;
	bool found = false;
	int st;

	if (nul) {
		target = (const char *)data;
		target_len = (size_t)(nul - data);
		size -= target_len + 1;
		data = nul + 1;
	}
	num = ref_number(target, target_len, &id);
	FZ_CHECK(parse_ref(target, target_len, &want) == (num != NUM_BIG),
		 "parse_ref and the contract disagree on range");
	if (num == NUM_BIG)
		return 0;
	FZ_CHECK(want.kind == (target_len == 0 ? REF_NONE :
			       num == NUM_OK ? REF_ID : REF_NAME),
		 "parse_ref and the contract disagree on the kind");
	FZ_CHECK(want.kind != REF_ID || want.id == id, "parse_ref misread %u", id);
	if (want.kind == REF_NONE) {
		want.kind = REF_ID; /* as resolve_user does, for uid 0 */
		want.id = 0;
	}

	buf = fz_expand(data, size, &len);
	fz_file_set(&file, buf, len);
	ref_find_user(buf, len, &want, &r);

	memset(&t, 0, sizeof t);
	fz_begin();
	st = run_find_user(&want, &t, &found);
	if (st) {
		fz_check_reader_died(st, file.path,
				     r.kind == R_ERROR ? r.error_line : 0, &r.may);
		return 0;
	}
	fz_expect_clean();
	FZ_CHECK(fz_out[0].len == 0 && fz_out[1].len == 0, "output on success");
	FZ_CHECK(r.kind != R_ERROR, "line %u concerns the target and is over "
		 "1 MiB, yet the lookup %s", r.error_line,
		 found ? "found a user" : "found nothing");
	FZ_CHECK(found == (r.kind == R_FOUND), "found=%d, contract says %d",
		 found, r.kind == R_FOUND);
	if (found) {
		FZ_CHECK(t.name && t.home, "found without name or home");
		FZ_CHECK(t.uid <= ID_MAX && t.gid <= ID_MAX, "id out of range");
		FZ_CHECK(t.uid == r.pw.uid && t.gid == r.pw.gid,
			 "uid %u gid %u, expected %u %u", t.uid, t.gid,
			 r.pw.uid, r.pw.gid);
		FZ_CHECK(span_is(t.name, r.pw.name, r.pw.name_len), "wrong name");
		FZ_CHECK(span_is(t.home, r.pw.home, r.pw.home_len), "wrong home");
		if (want.kind == REF_NAME)
			FZ_CHECK(span_is(t.name, want.text, want.len),
				 "a name lookup found another name");
		else
			FZ_CHECK(t.uid == want.id, "an id lookup found another uid");
	}
	return 0;
}
