/* Frama-C's libc has no sys/prctl.h: what su-exec uses of it. */
#ifndef PROVE_SYS_PRCTL_H
#define PROVE_SYS_PRCTL_H
#define PR_SET_NO_NEW_PRIVS 38
#endif
