/* Frama-C's libc has no sys/syscall.h nor syscall(): what su-exec uses,
 * with x86-64's numbers. The calls are modelled only as returning a
 * status; the switch is tested, not proven. */
#ifndef PROVE_SYS_SYSCALL_H
#define PROVE_SYS_SYSCALL_H
#define SYS_capget 125
#define SYS_capset 126
#define SYS_setgroups 116
#define SYS_setresgid 119
#define SYS_setresuid 117
#define SYS_setuid 105
#define SYS_prctl 157
/*@ assigns \result \from number; */
long syscall(long number, ...);
#endif
