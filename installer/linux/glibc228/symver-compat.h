/* Forced into every C file of the CPython build (CFLAGS -include) for the glibc-2.28 target.
 *
 * The build runs on Debian 11 (glibc 2.31), whose libm gives exp/log/pow/exp2/log2 new symbol
 * versions (GLIBC_2.29: the same functions without the SVID error handling). Code linked there
 * would refuse to load on glibc 2.28 (UOS 20, Kylin V10 SP1). Binding the calls to the older
 * versions, which glibc 2.29+ still exports, keeps the interpreter loadable on 2.28; CPython
 * checks errno/results itself, so the old error handling changes nothing it relies on.
 */
/* Not __GLIBC__: no header has defined it yet. Not in .S files: CFLAGS reach the assembler too. */
#if defined(__x86_64__) && defined(__linux__) && !defined(__ASSEMBLER__)
__asm__(".symver exp,exp@GLIBC_2.2.5");
__asm__(".symver log,log@GLIBC_2.2.5");
__asm__(".symver pow,pow@GLIBC_2.2.5");
__asm__(".symver exp2,exp2@GLIBC_2.2.5");
__asm__(".symver log2,log2@GLIBC_2.2.5");
#endif
