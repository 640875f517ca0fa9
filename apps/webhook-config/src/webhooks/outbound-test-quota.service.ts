import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CONFIG, ConfigServiceConfig } from '../config/config-service.config';
import { RateLimitError } from '../errors/domain.errors';

const WINDOW_MS = 60_000;

/** How long counts of past minutes are kept before maintenance deletes them. */
const KEEP_WINDOWS_MS = 60 * 60 * 1000;

/**
 * Limits the test requests an organization sends to receivers: test
 * connections to unsaved URLs and pings to saved webhooks. Each one makes
 * a delivery worker send a request to a URL the customer chose, so the
 * limit keeps one organization from using the platform to flood an
 * endpoint. The count lives in PostgreSQL, per organization and calendar
 * minute, so all replicas share it.
 */
@Injectable()
export class OutboundTestQuota {
  private readonly logger = new Logger(OutboundTestQuota.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CONFIG) private readonly config: ConfigServiceConfig,
  ) {}

  /**
   * Counts one test request of `organizationId` at `now`, in the
   * transaction of `manager` when given.
   *
   * @throws RateLimitError when the organization already sent
   *   OUTBOUND_TESTS_PER_MINUTE in this minute.
   */
  async consume(
    organizationId: string,
    manager?: EntityManager,
    now = new Date(),
  ): Promise<void> {
    const windowStart = new Date(
      Math.floor(now.getTime() / WINDOW_MS) * WINDOW_MS,
    );
    const [{ used }] = (await (manager ?? this.dataSource).query(
      `INSERT INTO outbound_test_quota (organization_id, window_start, used)
       VALUES ($1, $2, 1)
       ON CONFLICT (organization_id, window_start)
         DO UPDATE SET used = outbound_test_quota.used + 1
       RETURNING used`,
      [organizationId, windowStart],
    )) as { used: number }[];

    const limit = this.config.OUTBOUND_TESTS_PER_MINUTE;
    if (used > limit) {
      const retryAfterSeconds = Math.ceil(
        (windowStart.getTime() + WINDOW_MS - now.getTime()) / 1000,
      );
      this.logger.warn(
        { organization_id: organizationId, used, limit },
        'test request rejected by the per-minute limit',
      );
      throw new RateLimitError(
        `the organization sent ${limit} test connections and pings this minute, ` +
          `the most allowed; try again in ${retryAfterSeconds} s`,
        retryAfterSeconds,
      );
    }
  }

  /** Deletes counts of minutes that ended more than an hour before `now`. */
  async prune(now: Date): Promise<number> {
    const [{ count }] = (await this.dataSource.query(
      `WITH deleted AS (
         DELETE FROM outbound_test_quota WHERE window_start < $1 RETURNING 1
       )
       SELECT count(*)::int AS count FROM deleted`,
      [new Date(now.getTime() - KEEP_WINDOWS_MS)],
    )) as { count: number }[];

    return count;
  }
}
