/**
 * Exit statuses of `joblock run`.
 *
 * When joblock runs the command, it exits with the command's own status (0-255), or 128+N when
 * the command was killed by signal N (the shell convention). The values below are joblock's own
 * outcomes. They sit outside the ranges that commands commonly use (1-125 for errors, 126/127 from
 * shells, 128+N for signals), so a wrapper such as a systemd unit can tell them apart, e.g.
 * `SuccessExitStatus=200` to treat "skipped" as success.
 */

/** Usage error: unknown or missing flag, bad value (sysexits.h EX_USAGE). Nothing was claimed or run. */
export const EXIT_USAGE = 64;

/** joblock itself failed unexpectedly (sysexits.h EX_SOFTWARE); a bug, please report it. */
export const EXIT_INTERNAL_ERROR = 70;

/** The command exists but is not executable (shell convention). Nothing was claimed. */
export const EXIT_COMMAND_NOT_EXECUTABLE = 126;

/** The command was not found (shell convention). Nothing was claimed. */
export const EXIT_COMMAND_NOT_FOUND = 127;

/** Base of "killed by signal N" statuses: 128 + N (e.g. 143 for SIGTERM, 137 for SIGKILL). */
export const EXIT_SIGNAL_BASE = 128;

/**
 * Skipped: another host has (or had) this job's tick, or the previous run of the job still holds
 * the lock. The command did not run here.
 */
export const EXIT_SKIPPED = 200;

/**
 * The lock store (Redis) is unreachable or refused the request (connect timeout, connection
 * refused, TLS or AUTH failure, command timeout). joblock fails closed: the command did NOT run.
 */
export const EXIT_LOCK_STORE_UNAVAILABLE = 201;

/**
 * The lock was lost while the command ran (another owner holds it, it was deleted, or Redis was
 * unreachable until the lock's TTL ran out). The command was sent SIGTERM, then SIGKILL after the
 * grace period.
 */
export const EXIT_LOCK_LOST = 202;

/** Exit status for a command that was killed by the given signal number. */
export function exitCodeForSignal(signalNumber: number): number {
  return EXIT_SIGNAL_BASE + signalNumber;
}
