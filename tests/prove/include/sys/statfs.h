/* Frama-C's libc has struct statfs (in sys/stat.h) but no sys/statfs.h
 * nor fstatfs(). */
#ifndef PROVE_SYS_STATFS_H
#define PROVE_SYS_STATFS_H
#include <sys/stat.h>
/*@ requires \valid(buf);
    assigns *buf, \result \from fd;
    ensures \result == 0 ==> \initialized(&buf->f_type);
*/
int fstatfs(int fd, struct statfs *buf);
#endif
