/* SPDX-License-Identifier: MIT
 *
 * Measuring helper for bench/run. Every mode first moves into a private
 * mount namespace (what `unshare -m` does) and bind-mounts a test
 * passwd and group over /etc/passwd and /etc/group there, so the machine's
 * own files are never read as the database and never changed.
 *
 *   harness time ROUNDS JOBFILE  wall time of each job, in rounds whose
 *                                order is shuffled, one line per sample:
 *                                "round label nanoseconds"
 *   harness steps DB UID TARGET CMD...
 *                                user-space instructions CMD runs before it
 *                                execs TARGET, by single-stepping it
 *   harness peak DB UID TARGET CMD...
 *                                peak resident memory (kB) of CMD's image,
 *                                read when it calls execve, then the file
 *                                and anonymous parts of what is resident
 *                                at that moment
 *   harness run DB CMD...        just run CMD over that database
 *
 * DB is a directory holding "passwd", "group" and, optionally,
 * "nsswitch.conf". A JOBFILE line is "label<TAB>DB<TAB>path<TAB>arg..."
 * and describes one command. steps and peak check that TARGET starts with
 * UID in every uid slot, so a tool that did not switch is never measured.
 *
 * Why ptrace for instructions: callgrind never writes the counts of an
 * image that ends in a successful execve (with --trace-children=no it
 * simply stops; with yes it only profiles the new image), and its
 * --dump-before=execve needs a symbol named execve, which stripped static
 * binaries (su-exec-static, gosu) do not have. Single-stepping counts
 * every user-space instruction from the first one of the tool's image to
 * its execve, whatever the binary; threads (gosu) are followed. On an
 * unstripped build, where both work, the two counts agree within 1%.
 *
 * Why ptrace for memory: getrusage's ru_maxrss is the peak of every image
 * the process ever held, the forked copy of its parent included, and
 * /proc/PID/status's VmHWM of the command that runs next covers only the
 * new image. The one moment the tool's own peak is visible is just before
 * its image is replaced: at the entry of execve, VmHWM still describes the
 * tool's address space, and holds its peak resident set (file pages that
 * are mapped and touched, shared libraries included, plus anonymous pages).
 */
#define _GNU_SOURCE
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef PTRACE_GET_SYSCALL_INFO
#error "needs PTRACE_GET_SYSCALL_INFO (Linux 5.3, glibc 2.32)"
#endif

extern char **environ;

static void fail(const char *what)
{
	fprintf(stderr, "harness: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void failx(const char *what)
{
	fprintf(stderr, "harness: %s\n", what);
	exit(2);
}

/* ---- the private database ---------------------------------------------- */

static char mounted[4096];

static void private_ns(void)
{
	if (unshare(CLONE_NEWNS))
		fail("unshare(CLONE_NEWNS)");
	/* Nothing mounted from here on may reach the parent namespace. */
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL))
		fail("making / private");
}

/* Puts DB's files over /etc/passwd and /etc/group, and over
 * /etc/nsswitch.conf when DB has one (so the libc tools see the "files"
 * only setup of a container image), replacing the DB this process mounted
 * before: only ever its own mounts are taken off. */
static void use_db(const char *db)
{
	static const char *const names[] = { "passwd", "group", "nsswitch.conf" };
	static int bound[3];
	char src[4096], dst[64];
	int i;

	if (strcmp(mounted, db) == 0)
		return;
	for (i = 0; i < 3; i++) {
		snprintf(dst, sizeof dst, "/etc/%s", names[i]);
		if (bound[i] && umount2(dst, MNT_DETACH))
			fail("umount");
		bound[i] = 0;
		snprintf(src, sizeof src, "%s/%s", db, names[i]);
		if (i == 2 && (access(src, F_OK) || access(dst, F_OK)))
			continue;
		if (mount(src, dst, NULL, MS_BIND, NULL))
			fail(src);
		bound[i] = 1;
	}
	snprintf(mounted, sizeof mounted, "%s", db);
}

/* ---- wall time ----------------------------------------------------------- */

#define MAX_JOBS 32
#define MAX_ARGS 32

struct job {
	char *label, *db;
	char *argv[MAX_ARGS + 1];
	int failed;
};

static int read_jobs(const char *path, struct job *jobs)
{
	static char text[64 * 1024];
	int fd = open(path, O_RDONLY | O_CLOEXEC), n = 0;
	ssize_t len;
	char *line, *save;

	if (fd < 0)
		fail(path);
	len = read(fd, text, sizeof text - 1);
	if (len < 0)
		fail(path);
	close(fd);
	text[len] = '\0';
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct job *j = &jobs[n];
		char *f, *fsave;
		int k = 0;

		if (n == MAX_JOBS)
			failx("too many jobs");
		j->label = strtok_r(line, "\t", &fsave);
		j->db = strtok_r(NULL, "\t", &fsave);
		while ((f = strtok_r(NULL, "\t", &fsave)) && k < MAX_ARGS)
			j->argv[k++] = f;
		if (!j->label || !j->db || k == 0)
			failx("bad job line");
		j->argv[k] = NULL;
		n++;
	}
	return n;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One timed run: from just before the fork to the reaping of the child,
 * so every job pays the same process creation and teardown. The
 * command's stdout goes to devnull: its output would only add noise. */
static int64_t run_once(struct job *j, int devnull, int *status)
{
	int64_t t0 = now_ns();
	pid_t pid = vfork();

	if (pid == 0) {
		if (dup2(devnull, 1) == 1)
			execve(j->argv[0], j->argv, environ);
		_exit(127);
	}
	if (pid < 0)
		fail("vfork");
	if (waitpid(pid, status, 0) < 0)
		fail("waitpid");
	return now_ns() - t0;
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static int mode_time(int rounds, const char *jobfile)
{
	struct job jobs[MAX_JOBS] = { 0 };
	int n = read_jobs(jobfile, jobs), order[MAX_JOBS], r, i;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (devnull < 0)
		fail("/dev/null");
	for (i = 0; i < n; i++)
		order[i] = i;
	/* Round -2 and -1 warm the caches and are not reported. */
	for (r = -2; r < rounds; r++) {
		for (i = n - 1; i > 0; i--) {
			int k = (int)rnd((unsigned)i + 1), t = order[i];

			order[i] = order[k];
			order[k] = t;
		}
		for (i = 0; i < n; i++) {
			struct job *j = &jobs[order[i]];
			int status;
			int64_t ns;

			if (j->failed)
				continue;
			use_db(j->db);
			ns = run_once(j, devnull, &status);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				fprintf(stderr, "harness: %s failed (status %#x); "
					"dropped\n", j->label, status);
				j->failed = 1;
				continue;
			}
			if (r >= 0)
				printf("%d %s %lld\n", r, j->label, (long long)ns);
		}
	}
	return 0;
}

/* ---- tracing --------------------------------------------------------------- */

/* Starts CMD stopped under ptrace at its first instruction (just after the
 * execve that loads it), stdout sent to /dev/null. */
static pid_t start_traced(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		execve(argv[0], argv, environ);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFSTOPPED(status))
		failx("child did not stop");
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL,
		   PTRACE_O_EXITKILL | PTRACE_O_TRACEEXEC |
			   PTRACE_O_TRACECLONE | PTRACE_O_TRACESYSGOOD))
		fail("PTRACE_SETOPTIONS");
	if (ptrace(PTRACE_CONT, pid, NULL, NULL))
		fail("PTRACE_CONT");
	if (waitpid(pid, &status, 0) < 0)
		fail("waitpid");
	if (!WIFSTOPPED(status) || status >> 8 != (SIGTRAP | PTRACE_EVENT_EXEC << 8))
		failx("command did not start (wrong path?)");
	return pid;
}

/* A number from a "Key:\tvalue..." line of /proc/PID/status; field picks
 * the column (Uid has four). -1 when absent. The file is read whole: the
 * Groups line alone can take 700 kB. */
static long status_field(pid_t pid, const char *key, int field)
{
	static char *buf;
	static size_t cap;
	char path[64], *p;
	size_t len = 0, klen = strlen(key);
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				fail("realloc");
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (!buf)
		return -1;
	buf[len] = '\0';
	for (p = buf; *p; p++) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':') {
			char *q = p + klen + 1;
			long v = -1;

			while (field-- >= 0)
				v = strtol(q, &q, 10);
			return v;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
	}
	return -1;
}

static void finish(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	while (waitpid(-1, &status, __WALL) > 0)
		;
}

enum trace_how { STEP, SYSCALLS };

/* Is pid's image now the file target names? */
static int is_image(pid_t pid, const char *target)
{
	char path[64], exe[4096];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
	n = readlink(path, exe, sizeof exe - 1);
	if (n < 0)
		return 0;
	exe[n] = '\0';
	return strcmp(exe, target) == 0;
}

/* Runs the traced tool until it execs target, its command; a tool made of
 * several programs (s6-setuidgid execs s6-applyuidgid) is followed through
 * all of them. Returns the number of single steps (STEP) or the highest
 * VmHWM in kB seen at an execve entry (SYSCALLS); -1 when the tool ends
 * without exec'ing target. */
static long trace_tool(pid_t pid, enum trace_how how, const char *target,
		       long *uid, long *file, long *anon)
{
	enum __ptrace_request req = how == STEP ? PTRACE_SINGLESTEP : PTRACE_SYSCALL;
	long count = 0, hwm = -1;
	int status;
	pid_t tid;

	if (ptrace(req, pid, NULL, NULL))
		fail("ptrace");
	while ((tid = waitpid(-1, &status, __WALL)) > 0) {
		int sig, event;

		if (!WIFSTOPPED(status)) {
			if (tid == pid)
				return -1; /* the tool ended without exec */
			continue;  /* one of its threads ended */
		}
		sig = WSTOPSIG(status);
		event = status >> 16;
		if (event == PTRACE_EVENT_EXEC && is_image(pid, target)) {
			int k;

			/* real, effective, saved and filesystem uid: all or none */
			*uid = status_field(pid, "Uid", 0);
			for (k = 1; k < 4; k++)
				if (status_field(pid, "Uid", k) != *uid)
					*uid = -2;
			return how == STEP ? count : hwm;
		}
		if (event != 0 || sig == SIGSTOP) {
			/* exec of a helper, clone events, new threads */
			sig = 0;
		} else if (sig == SIGTRAP) {
			count++;
			sig = 0;
		} else if (sig == (SIGTRAP | 0x80)) {
			struct __ptrace_syscall_info si;

			sig = 0;
			if (ptrace(PTRACE_GET_SYSCALL_INFO, tid,
				   (void *)sizeof si, &si) > 0 &&
			    si.op == PTRACE_SYSCALL_INFO_ENTRY &&
			    (si.entry.nr == SYS_execve
#ifdef SYS_execveat
			     || si.entry.nr == SYS_execveat
#endif
			     )) {
				long v = status_field(tid, "VmHWM", 0);

				if (v > hwm) {
					hwm = v;
					*file = status_field(tid, "RssFile", 0);
					*anon = status_field(tid, "RssAnon", 0);
				}
			}
		}
		ptrace(req, tid, NULL, (void *)(long)sig);
	}
	return -1;
}

/* Checks that the tool reached target as want_uid, and prints the figure. */
static int mode_trace(enum trace_how how, long want_uid, const char *target,
		      char **argv)
{
	char real[4096];
	long uid = -1, file = -1, anon = -1, v;
	pid_t pid;

	if (!realpath(target, real))
		fail(target);
	pid = start_traced(argv);
	v = trace_tool(pid, how, real, &uid, &file, &anon);
	finish(pid);
	if (v < 0) {
		fprintf(stderr, "harness: %s did not exec %s\n", argv[0], real);
		return 1;
	}
	if (uid != want_uid) {
		if (uid == -2)
			fprintf(stderr, "harness: %s exec'd %s with unequal uids\n",
				argv[0], real);
		else
			fprintf(stderr, "harness: %s exec'd %s with uid %ld, not %ld\n",
				argv[0], real, uid, want_uid);
		return 1;
	}
	if (how == STEP)
		printf("%ld\n", v);
	else
		printf("%ld %ld %ld\n", v, file, anon);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "time") == 0) {
		private_ns();
		return mode_time(atoi(argv[2]), argv[3]);
	}
	if (argc >= 6 && (strcmp(argv[1], "steps") == 0 ||
			  strcmp(argv[1], "peak") == 0)) {
		private_ns();
		use_db(argv[2]);
		return mode_trace(argv[1][0] == 's' ? STEP : SYSCALLS,
				  atol(argv[3]), argv[4], argv + 5);
	}
	if (argc >= 4 && strcmp(argv[1], "run") == 0) {
		private_ns();
		use_db(argv[2]);
		execve(argv[3], argv + 3, environ);
		fail(argv[3]);
	}
	fprintf(stderr, "usage: harness time ROUNDS JOBFILE\n"
		"       harness steps|peak DB UID TARGET CMD...\n"
		"       harness run DB CMD...\n");
	return 2;
}
