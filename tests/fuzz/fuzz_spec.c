/* SPDX-License-Identifier: MIT
 *
 * The command line and the resolution of USER[:GROUP] and --group-add,
 * against a fixed database full of traps.
 *
 * Input: the arguments after "su-exec", separated by NUL bytes (so the spec
 * may hold newlines, tabs, any byte but NUL). parse_args, resolve and
 * print_identity run as in main; the result is compared with a model that
 * knows the database as a hand-written table, not by parsing it. Beyond
 * equality it checks what must hold whatever the model says: uid 0 only
 * for a spec that names root, groups sorted, unique, holding the gid, at
 * most 65536; every message one escaped line naming its culprit.
 */
#include "fuzz.h"

#define MAX_ARGS 32

static const char passwd_text[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"# comment:x:0:0::/:\n"
	"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	"\n"
	"app:x:1000:1000:App:/home/app:/bin/sh\n"
	"  blank:x:1001:1001::/home/blank:/bin/sh\n"
	"crlf:x:1002:1002::/home/crlf:/bin/sh\r\n"
	"1003:x:1004:1004::/home/named-1003:/bin/sh\n"
	"dup:x:1005:1005::/home/dup1:/bin/sh\n"
	"dup:x:1006:1006::/home/dup2:/bin/sh\n"
	"nohome:x:1007:1007:::/bin/sh\n"
	"short:x:1008:1008\n"
	"bad:x::0::/root:/bin/sh\n"
	"bad:x:-1:0::/root:/bin/sh\n"
	"bad:x:+0:0::/root:/bin/sh\n"
	"bad:x:0x10:0::/root:/bin/sh\n"
	"bad:x:4294967296:0::/root:/bin/sh\n"
	"bad:x:2147483648:0::/root:/bin/sh\n"
	"bad:x:1009: 0::/root:/bin/sh\n"
	"bad:x:1009:1009::/home/bad:/bin/sh\n"
	"nul\0:x:0:0::/:/bin/sh\n"
	"nul:x:1300:1300::/\0:/bin/sh\n"
	"many:x:3000:3000::/home/many:/bin/sh\n"
	"trail:x:1400:1400::/home/trail \t\n"
	":x:1010:1010::/home/noname:/bin/sh\n"
	"max:x:2147483647:2147483647::/home/max:/bin/sh\n"
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
	"root:x:1500:1500::/home/root2:/bin/sh\n"
	"x:x:1600:0::/home/x:/bin/sh\n"
	"last:x:1700:1700::/home/last:/bin/sh";

static const char group_text[] =
	"root:x:0:\n"
	"daemon:x:1:\n"
	"wheel:x:10:app,root,many\n"
	"staff:x:50:blank,app,many\n"
	"  users:x:100:crlf,app,many\r\n"
	"# hidden:x:0:app\n"
	"app:x:1000:\n"
	"1003:x:1001:\n"
	"dupg:x:2000:app\n"
	"dupg:x:2001:app\n"
	"badg:x::app\n"
	"badg:x:2147483648:app\n"
	"badg:x:-5:app\n"
	"badg:x:0x7:app\n"
	"badg:x: 2005:app\n"
	"badg:x:2002:\n"
	"empty:x:2003\n"
	"nulg:x:0:app\0many\n"
	"nobody:x:65534:\n"
	"max:x:2147483647:max\n"
	"spaced:x:2004: app,many ,x\n"
	"colon:x:2006:app:many\n"
	"m1:x:3001:many\n"
	"m2:x:3002:nobody,many\n"
	"m3:x:3003:many,many\n"
	":x:2007:app\n"
	"trailg:x:2008:app,  \t\n"
	"last:x:2009:last";

/* The same database as the model knows it: the valid lines, in order. */
static const struct m_pw {
	const char *name;
	uint32_t uid, gid;
	const char *home;
} m_passwd[] = {
	{ "root", 0, 0, "/root" },
	{ "daemon", 1, 1, "/usr/sbin" },
	{ "app", 1000, 1000, "/home/app" },
	{ "blank", 1001, 1001, "/home/blank" },
	{ "crlf", 1002, 1002, "/home/crlf" },
	{ "1003", 1004, 1004, "/home/named-1003" },
	{ "dup", 1005, 1005, "/home/dup1" },
	{ "dup", 1006, 1006, "/home/dup2" },
	{ "nohome", 1007, 1007, "" },
	{ "short", 1008, 1008, "" },
	{ "bad", 1009, 1009, "/home/bad" },
	{ "many", 3000, 3000, "/home/many" },
	{ "trail", 1400, 1400, "/home/trail" },
	{ "", 1010, 1010, "/home/noname" },
	{ "max", 2147483647, 2147483647, "/home/max" },
	{ "nobody", 65534, 65534, "/nonexistent" },
	{ "root", 1500, 1500, "/home/root2" },
	{ "x", 1600, 0, "/home/x" },
	{ "last", 1700, 1700, "/home/last" },
};

static const struct m_gr {
	const char *name;
	uint32_t gid;
	const char *members;
} m_group[] = {
	{ "root", 0, "" },
	{ "daemon", 1, "" },
	{ "wheel", 10, "app,root,many" },
	{ "staff", 50, "blank,app,many" },
	{ "users", 100, "crlf,app,many" },
	{ "app", 1000, "" },
	{ "1003", 1001, "" },
	{ "dupg", 2000, "app" },
	{ "dupg", 2001, "app" },
	{ "badg", 2002, "" },
	{ "empty", 2003, "" },
	{ "nobody", 65534, "" },
	{ "max", 2147483647, "max" },
	{ "spaced", 2004, " app,many ,x" },
	{ "colon", 2006, "app:many" },
	{ "m1", 3001, "many" },
	{ "m2", 3002, "nobody,many" },
	{ "m3", 3003, "many,many" },
	{ "", 2007, "app" },
	{ "trailg", 2008, "app,  " },
	{ "last", 2009, "last" },
};

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static struct fz_file pw_file, gr_file;

/* ---- the model ----------------------------------------------------------- */

struct model {
	enum { M_ERROR, M_HELP, M_VERSION, M_OK } kind;
	const char *phrase;     /* M_ERROR: what the message must say */
	const char *culprit;    /* and the culprit it must quote, if any */
	size_t culprit_len;
	char short_opt[2];      /* an unknown short option, as quoted */
	bool print;
	const char *spec;
	const char *adds[MAX_ARGS];
	size_t nadds;
	uint32_t uid, gid;
	const char *home;
	uint32_t groups[64];
	size_t ngroups;
};

static void m_error(struct model *m, const char *phrase, const char *s,
		    size_t n)
{
	m->kind = M_ERROR;
	m->phrase = phrase;
	m->culprit = s;
	m->culprit_len = n;
}

/* -G / --group-add's value: missing or empty is a usage error. */
static bool m_add(struct model *m, const char *v)
{
	if (!v) {
		m_error(m, "needs a GROUP (usage:", NULL, 0);
		return false;
	}
	if (!*v) {
		m_error(m, "needs a non-empty GROUP", NULL, 0);
		return false;
	}
	m->adds[m->nadds++] = v;
	return true;
}

/* One option argument at *i; false when the model has its answer. */
static bool m_option(struct model *m, char **argv, int *i)
{
	const char *a = argv[*i], *p;

	if (a[1] == '-') {
		if (!strcmp(a, "--help") || !strcmp(a, "--version")) {
			m->kind = a[2] == 'h' ? M_HELP : M_VERSION;
			return false;
		}
		if (!strcmp(a, "--print"))
			m->print = true;
		else if (!strcmp(a, "--no-new-privs"))
			;
		else if (!strcmp(a, "--group-add"))
			return m_add(m, argv[++*i]);
		else if (!strncmp(a, "--group-add=", 12))
			return m_add(m, a + 12);
		else {
			m_error(m, "unknown option", a, strlen(a));
			return false;
		}
		return true;
	}
	for (p = a + 1; *p; p++) {
		if (*p == 'h' || *p == 'v') {
			m->kind = *p == 'h' ? M_HELP : M_VERSION;
			return false;
		}
		if (*p == 'G')
			return m_add(m, p[1] ? p + 1 : argv[++*i]);
		if (*p != 'p') {
			m->short_opt[0] = '-';
			m->short_opt[1] = *p;
			m_error(m, "unknown option", m->short_opt, 2);
			return false;
		}
		m->print = true;
	}
	return true;
}

static void m_args(struct model *m, int argc, char **argv)
{
	int i;

	m->kind = M_OK;
	m->print = false;
	m->nadds = 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!m_option(m, argv, &i))
			return;
	}
	if (i >= argc) {
		m_error(m, "missing USER (usage:", NULL, 0);
		return;
	}
	m->spec = argv[i];
	if (i + 1 >= argc && !m->print)
		m_error(m, "missing COMMAND (usage:", NULL, 0);
}

static void m_add_group(struct model *m, uint32_t gid)
{
	size_t i;

	for (i = 0; i < m->ngroups; i++)
		if (m->groups[i] == gid)
			return;
	FZ_CHECK(m->ngroups < COUNT(m->groups), "model: too many groups");
	m->groups[m->ngroups++] = gid;
}

static int m_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static void m_resolve(struct model *m)
{
	const char *spec = m->spec, *colon = strchr(spec, ':');
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec), i, j;
	const char *texts[MAX_ARGS + 1];
	uint32_t gids[MAX_ARGS + 1], id = 0;
	const struct m_pw *pw = NULL;
	enum ref_num num = ref_number(spec, ulen, &id);

	if (ulen == 0) {
		num = NUM_OK;
		id = (uint32_t)getuid();
	}
	if (num == NUM_BIG) {
		m_error(m, "invalid user id", spec, ulen);
		return;
	}
	for (i = 0; !pw && i < COUNT(m_passwd); i++)
		if (num == NUM_OK ? m_passwd[i].uid == id :
		    strlen(m_passwd[i].name) == ulen &&
		    !memcmp(m_passwd[i].name, spec, ulen))
			pw = &m_passwd[i];
	if (!pw && num == NUM_NAME) {
		m_error(m, "unknown user", spec, ulen);
		return;
	}
	m->uid = pw ? pw->uid : id;
	m->gid = pw ? pw->gid : (uint32_t)getgid();
	m->home = pw && *pw->home ? pw->home : "/";

	texts[0] = colon ? colon + 1 : "";
	for (i = 0; i < m->nadds; i++)
		texts[i + 1] = m->adds[i];
	for (i = 0; i <= m->nadds; i++) {
		if (ref_number(texts[i], strlen(texts[i]), &gids[i]) == NUM_BIG) {
			m_error(m, "invalid group id", texts[i], strlen(texts[i]));
			return;
		}
	}
	for (i = 0; i <= m->nadds; i++) {
		size_t n = strlen(texts[i]);

		if (n == 0 || ref_number(texts[i], n, &gids[i]) == NUM_OK)
			continue;
		for (j = 0; j < COUNT(m_group); j++)
			if (!strcmp(m_group[j].name, texts[i]))
				break;
		if (j == COUNT(m_group)) {
			m_error(m, "unknown group", texts[i], n);
			return;
		}
		gids[i] = m_group[j].gid;
	}
	if (*texts[0])
		m->gid = gids[0];
	m->ngroups = 0;
	m_add_group(m, m->gid);
	if (!*texts[0] && pw)
		for (j = 0; j < COUNT(m_group); j++)
			if (ref_member(m_group[j].members,
				       strlen(m_group[j].members), pw->name,
				       strlen(pw->name)))
				m_add_group(m, m_group[j].gid);
	for (i = 1; i <= m->nadds; i++)
		m_add_group(m, gids[i]);
	qsort(m->groups, m->ngroups, sizeof *m->groups, m_cmp);
	m->kind = M_OK;
}

/* ---- the program ----------------------------------------------------- */

static struct opts o;
static struct ident t;
/* The program's fixed storage, reused between runs: every list in it is
 * written before it is read. */
static struct work w;

static int run_parse(int argc, char **argv)
{
	int st = setjmp(fuzz_exit);

	if (st == 0) {
		parse_args(argc, argv, &w, &o);
		return 0;
	}
	return st;
}

static int run_resolve(void)
{
	int st = setjmp(fuzz_exit);

	if (st == 0) {
		resolve(pw_file.path, gr_file.path, o.spec, o.user_len, o.refs,
			o.nrefs, &w, &t);
		return 0;
	}
	return st;
}

static int run_print(void)
{
	int st = setjmp(fuzz_exit);

	if (st == 0)
		print_identity(&t);
	return st;
}

/* A failure the model predicted: status, one clean line, its words. */
static void expect_error(int st, const struct model *m)
{
	FZ_CHECK(m->kind == M_ERROR, "unexpected error: %.*s",
		 (int)fz_out[1].len, fz_out[1].buf);
	FZ_CHECK(st == 125, "exit status %d", st);
	fz_check_message();
	FZ_CHECK(fz_message_has(m->phrase), "expected \"%s\", got: %.*s",
		 m->phrase, (int)fz_out[1].len, fz_out[1].buf);
	if (m->culprit)
		fz_check_quoted("the culprit", m->culprit, m->culprit_len);
}

/* The identity's own rules, whatever the model says. */
static void check_identity(const struct model *m)
{
	const char *colon = strchr(o.spec, ':');
	size_t ulen = colon ? (size_t)(colon - o.spec) : strlen(o.spec), i;
	uint32_t id;

	if (t.uid == 0)
		FZ_CHECK((ulen == 0 && getuid() == 0) ||
			 (ulen == 4 && !memcmp(o.spec, "root", 4)) ||
			 (ref_number(o.spec, ulen, &id) == NUM_OK && id == 0),
			 "uid 0 from a spec that does not name root");
	FZ_CHECK(t.groups.n >= 1 && t.groups.n <= GROUPS_MAX, "%zu groups",
		 t.groups.n);
	for (i = 1; i < t.groups.n; i++)
		FZ_CHECK(t.groups.v[i - 1] < t.groups.v[i],
			 "groups not sorted and unique");
	FZ_CHECK(bsearch(&t.gid, t.groups.v, t.groups.n, sizeof *t.groups.v,
			 m_cmp), "the gid is not among the groups");
	FZ_CHECK(t.uid == m->uid && t.gid == m->gid, "uid %u gid %u, model "
		 "%u %u", t.uid, t.gid, m->uid, m->gid);
	FZ_CHECK(t.home && !strcmp(t.home, m->home), "home %s, model %s",
		 t.home ? t.home : "(null)", m->home);
	FZ_CHECK(t.groups.n == m->ngroups && !memcmp(t.groups.v, m->groups,
		 m->ngroups * sizeof *m->groups), "groups differ from the model");
}

/* print_identity: one line, the gid first, then the rest ascending. */
static void check_print(const struct model *m)
{
	char want[1024];
	size_t k, i;
	int st;

	k = (size_t)snprintf(want, sizeof want, "uid=%u gid=%u groups=%u",
			     m->uid, m->gid, m->gid);
	for (i = 0; i < m->ngroups; i++)
		if (m->groups[i] != m->gid)
			k += (size_t)snprintf(want + k, sizeof want - k, ",%u",
					      m->groups[i]);
	snprintf(want + k, sizeof want - k, " home=%s\n", m->home);
	fz_begin();
	st = run_print();
	FZ_CHECK(st == 256, "print ended with %d", st);
	FZ_CHECK(fz_out[1].len == 0, "stderr output from --print");
	FZ_CHECK(fz_out[0].len == strlen(want) &&
		 !memcmp(fz_out[0].buf, want, fz_out[0].len),
		 "printed %.*s, model %s", (int)fz_out[0].len, fz_out[0].buf, want);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_file_init(&pw_file, "passwd");
	fz_file_init(&gr_file, "group");
	fz_file_set(&pw_file, passwd_text, sizeof passwd_text - 1);
	fz_file_set(&gr_file, group_text, sizeof group_text - 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model m;
	static char *args;
	static char *argv[MAX_ARGS + 2];
	int argc = 1, st;
	size_t i;

	if (size > 1 << 20)
		return 0;
	free(args);
	args = malloc(size + 1);
	FZ_CHECK(args, "out of memory");
	memcpy(args, data, size);
	args[size] = '\0';
	argv[0] = "su-exec";
	argv[argc++] = args;
	for (i = 0; i < size && argc <= MAX_ARGS; i++)
		if (!args[i])
			argv[argc++] = args + i + 1;
	argv[argc] = NULL;

	m_args(&m, argc, argv);
	fz_begin();
	st = run_parse(argc, argv);
	if (st) {
		fz_release();
		if (m.kind == M_HELP || m.kind == M_VERSION) {
			FZ_CHECK(st == 256, "help or version ended with %d", st);
			FZ_CHECK(fz_out[1].len == 0, "stderr output with help");
			FZ_CHECK(m.kind == M_HELP ?
				 fz_out[0].len > 40 &&
				 !memcmp(fz_out[0].buf, "Usage: su-exec ", 15) :
				 fz_out[0].len == 19 &&
				 !memcmp(fz_out[0].buf, "su-exec 0.0.0-fuzz\n", 19),
				 "wrong help or version text");
			return 0;
		}
		expect_error(st, &m);
		return 0;
	}
	FZ_CHECK(m.kind == M_OK, "parse_args accepted what the model rejects");
	FZ_CHECK(o.spec == m.spec && o.print == m.print, "spec or --print "
		 "differ from the model");
	FZ_CHECK(o.nrefs == m.nadds + 1, "%zu --group-add, model %zu",
		 o.nrefs - 1, m.nadds);
	for (i = 0; i < m.nadds; i++)
		FZ_CHECK(o.refs[i + 1].ref.text == m.adds[i],
			 "--group-add %zu differs", i);

	m_resolve(&m);
	memset(&t, 0, sizeof t);
	fz_begin();
	st = run_resolve();
	if (st) {
		fz_release();
		expect_error(st, &m);
		return 0;
	}
	fz_expect_clean();
	FZ_CHECK(fz_out[0].len == 0 && fz_out[1].len == 0, "output on success");
	FZ_CHECK(m.kind == M_OK, "resolved what the model rejects with \"%s\"",
		 m.phrase);
	check_identity(&m);
	check_print(&m);
	return 0;
}
