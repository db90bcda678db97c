/* Read before su-exec.c by every Frama-C run. Frama-C 25 does not parse
 * _Alignas; it checks no alignment either, so the proof loses nothing
 * when the one alignment su-exec asks for (its line buffer's) is left
 * out. */
#define _Alignas(type)
/* Nor does its fcntl.h have O_LARGEFILE (Linux's value on x86-64). */
#define O_LARGEFILE 0100000
/* Nor does its unistd.h declare environ (_GNU_SOURCE does in glibc's). */
extern char **environ;
