/* Frama-C's libc has no sys/auxv.h: what su-exec uses of it. */
#ifndef PROVE_SYS_AUXV_H
#define PROVE_SYS_AUXV_H
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_SECURE 23
/*@ assigns \result \from type; */
unsigned long getauxval(unsigned long type);
#endif
