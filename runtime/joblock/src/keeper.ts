/**
 * LockKeeper: renews a held claim every ttl/3 and reports when the lock is lost.
 *
 * The lock is known to be valid until (send time of the last successful claim or renewal) + ttl,
 * measured on the local monotonic clock: Redis set the expiry after we sent the request. The
 * lock is lost when
 * - a renewal answers that the lock no longer holds our token (expired, deleted or taken), or
 * - no renewal succeeds before that validity runs out (Redis unreachable or too slow): a
 *   watchdog timer fires at the end of the validity, whatever state the pending request is in.
 * After a failed renewal, the next try comes sooner (ttl/10, between 100 ms and 1 s).
 */
import { performance } from 'node:perf_hooks';
import { errorMessage } from './connection';
import type { HeldClaim, JobLock } from './lock';

export type LostReason = 'ownership' | 'unreachable';

export interface LockKeeperOptions {
  readonly lock: Pick<JobLock, 'renew'>;
  readonly claim: HeldClaim;
  /** performance.now() when the claim request was sent. */
  readonly validFrom: number;
  /** Called at most once, when the lock is lost. */
  readonly onLost: (reason: LostReason, message: string) => void;
  /** Clock, for tests. @default performance.now */
  readonly now?: () => number;
}

export class LockKeeper {
  public readonly renewIntervalMs: number;
  public readonly retryDelayMs: number;
  private validUntil: number;
  private renewTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastError: unknown;
  private renewals = 0;
  private readonly now: () => number;

  constructor(private readonly options: LockKeeperOptions) {
    const ttl = options.claim.ttlMs;
    this.now = options.now ?? (() => performance.now());
    this.renewIntervalMs = Math.max(1, Math.floor(ttl / 3));
    this.retryDelayMs = Math.min(1_000, Math.max(100, Math.floor(ttl / 10)));
    this.validUntil = options.validFrom + ttl;
  }

  /** Successful renewals so far. */
  public get renewalCount(): number {
    return this.renewals;
  }

  public start(): void {
    this.armWatchdog();
    this.schedule(this.options.validFrom + this.renewIntervalMs - this.now());
  }

  /** Stops renewing (call before releasing). Idempotent. */
  public stop(): void {
    this.stopped = true;
    clearTimeout(this.renewTimer);
    clearTimeout(this.watchdog);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.renewTimer);
    this.renewTimer = setTimeout(() => void this.renew(), Math.max(0, delayMs));
  }

  private armWatchdog(): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      const cause = this.lastError === undefined ? 'no renewal answered in time' : errorMessage(this.lastError);
      this.lose('unreachable', `could not renew the lock before its ttl ran out (${cause})`);
    }, Math.max(0, this.validUntil - this.now()));
  }

  private async renew(): Promise<void> {
    if (this.stopped) {
      return;
    }
    const sentAt = this.now();
    let owned: boolean;
    try {
      owned = await this.options.lock.renew(this.options.claim);
    } catch (error) {
      if (this.stopped) {
        return;
      }
      this.lastError = error;
      const remaining = this.validUntil - this.now();
      if (remaining > 0) {
        this.schedule(Math.min(this.retryDelayMs, remaining));
      }
      // else: the watchdog reports the loss.
      return;
    }
    if (this.stopped) {
      return;
    }
    if (!owned) {
      this.lose('ownership', 'the lock no longer holds this run\'s token (it expired, was deleted or was taken over)');
      return;
    }
    this.renewals++;
    this.lastError = undefined;
    this.validUntil = Math.max(this.validUntil, sentAt + this.options.claim.ttlMs);
    this.armWatchdog();
    this.schedule(sentAt + this.renewIntervalMs - this.now());
  }

  private lose(reason: LostReason, message: string): void {
    if (this.stopped) {
      return;
    }
    this.stop();
    this.options.onLost(reason, message);
  }
}
