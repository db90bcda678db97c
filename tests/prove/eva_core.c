/* EVA harnesses: su-exec.c's pure core driven with any bytes, at small
 * limits. Each harness is an entry point (make prove runs EVA once per
 * harness, with -main); EVA must report no alarm. */
#define SU_EXEC_FUZZ
#define FUZZ_GROUPS_MAX 2
#define FUZZ_LINE_MAX 64
#define FUZZ_CHUNK 16
#include "../../su-exec.c"

#include "__fc_builtin.h"

/* Texts of every length up to this, with any bytes. */
#define TEXT_MAX 24

/* Any text of 0 to TEXT_MAX bytes, as an id and as a spec part. */
void eva_ids(void)
{
	char s[TEXT_MAX];
	size_t n = Frama_C_size_t_interval(0, TEXT_MAX);
	uint32_t id;
	struct ref r;

	Frama_C_make_unknown(s, sizeof s);
	parse_id(s, n, &id);
	parse_ref(s, n, &r);
}

/* write() as out_flush sees it: everything, or nothing with EINTR or EIO.
 * (With the C library's own contract, a short write leaves EVA unable to
 * tie how much is done to how much is left.) */
ssize_t write(int fd, const void *buf, size_t count)
{
	(void)fd;
	(void)buf;
	if (Frama_C_nondet(0, 1)) {
		errno = Frama_C_nondet(EINTR, EIO);
		return -1;
	}
	return (ssize_t)count;
}

/* Any number, written into a buffer at any fill, flushed when full (to
 * stderr: a failed write to stdout is die()'s, outside this harness). */
void eva_out_uint(void)
{
	struct out o = { STDERR_FILENO, 0, "" };

	o.len = Frama_C_size_t_interval(0, sizeof o.buf - 1);
	out_uint(&o, Frama_C_unsigned_int_interval(0, UINT32_MAX));
	/*@ assert o.len < 1024; */
}

/* Any gids, any number of them up to three times the set's capacity: the
 * set fills, compacts and either fails at the limit or holds them. */
void eva_gidset(void)
{
	static uint32_t room[GIDSET_CAPACITY];
	struct gidset s = { room, 0 };
	size_t adds = Frama_C_size_t_interval(0, 3 * GIDSET_CAPACITY);
	size_t i;

	/*@ loop unroll 3 * GIDSET_CAPACITY + 1; */
	for (i = 0; i < adds; i++) {
		if (!gidset_add(&s, Frama_C_unsigned_int_interval(0, UINT32_MAX)))
			return;
		/*@ assert s.n <= GIDSET_CAPACITY; */
	}
	/*@ split s.n; */
	gidset_compact(&s);
	/*@ assert s.n <= GIDSET_CAPACITY; */
}
