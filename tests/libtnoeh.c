/* A library without unwind tables: built with -fno-asynchronous-unwind-tables
 * -fno-unwind-tables -fomit-frame-pointer and linked with --no-eh-frame-hdr
 * (tests/collector.am), as some vendor and hand-written assembly libraries
 * are.  noeh_spin calls back into the program, so its frame holds saved
 * registers and no frame pointer: an unwinder that reaches it from the
 * callback cannot find its caller. */
double noeh_spin(long n, double (*cb)(double));

double
noeh_spin(long n, double (*cb)(double))
{
	double s = 1;
	for (long i = 0; i < n; i++)
		s = cb(s) + (double)(i & 7);
	return s;
}
