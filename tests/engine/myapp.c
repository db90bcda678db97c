/* SPDX-License-Identifier: MIT
 *
 * myapp: the stand-in service of the engine tests, built static so that it
 * runs in distroless and scratch images, which have no shell. It prints
 * who it runs as, in the kernel's words (/proc/self/status), its HOME and
 * its arguments. With MYAPP_WAIT set it then prints "ready" and waits for
 * SIGTERM, on which it exits 43: a status of its own, so a test can tell
 * the service's exit from the engine killing it (137).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const keys[] = {
	"Pid:", "Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:", "CapEff:",
	"CapAmb:", "NoNewPrivs:", "Seccomp:",
};

/* LINE's words joined by single spaces: the kernel pads with tabs. */
static void print_words(char *line)
{
	const char *sep = "";
	char *word;

	for (word = strtok(line, " \t\n"); word != NULL;
	     word = strtok(NULL, " \t\n")) {
		printf("%s%s", sep, word);
		sep = " ";
	}
	putchar('\n');
}

static void show_status(void)
{
	char line[512];
	size_t i;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL) {
		perror("myapp: /proc/self/status");
		exit(1);
	}
	while (fgets(line, sizeof line, f) != NULL)
		for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
			if (strncmp(line, keys[i], strlen(keys[i])) == 0)
				print_words(line);
	fclose(f);
}

static void on_term(int sig)
{
	static const char msg[] = "myapp: SIGTERM\n";

	(void)sig;
	(void)!write(1, msg, sizeof msg - 1);
	_exit(43);
}

int main(int argc, char **argv)
{
	int i;
	const char *home = getenv("HOME");

	signal(SIGTERM, on_term);
	show_status();
	printf("HOME=%s\nargs:", home != NULL ? home : "(unset)");
	for (i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	putchar('\n');
	if (getenv("MYAPP_WAIT") != NULL) {
		puts("ready");
		fflush(stdout);
		for (;;)
			pause();
	}
	return 0;
}
