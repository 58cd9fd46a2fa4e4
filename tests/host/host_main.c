/*
 * host_main.c - main() for every host test program: runs the suites linked
 * into it (all, or those matching argv[1]) and prints KTAP on standard output.
 * Exit status 0 when every case passed or was skipped, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kernel/ktest.h"

void ktest_emit(const char *line)
{
	fputs(line, stdout);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *glob = argc > 1 ? argv[1] : getenv("TESTS");
	unsigned passed, failed, skipped;
	setvbuf(stderr, NULL, _IOLBF, 0);
	ktest_run(glob && *glob ? glob : "*", &passed, &failed, &skipped);
	return failed ? 1 : 0;
}
