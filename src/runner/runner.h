/* runner.h - the runner's exit codes and the lock key, in one place.
 *
 * Every exit status the runner can return is listed here and nowhere else;
 * main.c prints this table in --help.  The advisory-lock key is shared by the
 * lock code and the tests (tests/suites/50-runner.sh holds the same number).
 */
#ifndef STARGEN_RUNNER_H
#define STARGEN_RUNNER_H

enum {
    RUNNER_EXIT_OK = 0,          /* every step ran (or the dry run printed) */
    RUNNER_EXIT_STEP_FAILED = 1, /* a step failed (or the run was interrupted) */
    RUNNER_EXIT_USAGE = 2,       /* bad arguments, bad input folder, missing placeholders */
    RUNNER_EXIT_CONNECT = 3,     /* could not connect, or another runner holds the lock */
    RUNNER_EXIT_CHECKS = 4       /* an error-severity data check failed (the load succeeded) */
};

/* pg_advisory_lock key: the bytes "stargen\x01" read as a big-endian int64. */
#define RUNNER_LOCK_KEY "8319381555649015297"

#define RUNNER_VERSION_STR "0.1.0"

#endif
