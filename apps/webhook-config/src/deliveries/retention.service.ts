import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONFIG, ConfigServiceConfig } from '../config/config-service.config';

/** Rows deleted per statement, so pruning never holds long locks. */
const PRUNE_BATCH = 5_000;

/**
 * Deletes delivery records older than the retention period and, per
 * webhook, the oldest records beyond the cap.
 */
@Injectable()
export class RetentionService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(CONFIG) private readonly config: ConfigServiceConfig,
  ) {}

  /**
   * Runs a `DELETE ... RETURNING` and returns how many rows it deleted.
   * TypeORM returns `[rows, count]` for a top-level DELETE, whose length is
   * always 2, so the statement runs inside a CTE that counts its rows.
   */
  private async deleteCounting(
    deleteSql: string,
    parameters: unknown[],
  ): Promise<number> {
    const [{ count }] = (await this.dataSource.query(
      `WITH deleted AS (${deleteSql}) SELECT count(*)::int AS count FROM deleted`,
      parameters,
    )) as { count: number }[];

    return count;
  }

  /** Returns how many records were deleted. */
  async prune(now: Date): Promise<number> {
    const cutoff = new Date(
      now.getTime() - this.config.DELIVERY_RETENTION_DAYS * 24 * 3600 * 1000,
    );
    let deleted = 0;
    for (;;) {
      const expired = await this.deleteCounting(
        `DELETE FROM delivery WHERE attempt_id IN (
           SELECT attempt_id FROM delivery WHERE started_at < $1 LIMIT $2
         ) RETURNING attempt_id`,
        [cutoff, PRUNE_BATCH],
      );
      deleted += expired;
      if (expired < PRUNE_BATCH) {
        break;
      }
    }
    for (;;) {
      const excess = await this.deleteCounting(
        `DELETE FROM delivery WHERE attempt_id IN (
           SELECT attempt_id FROM (
             SELECT attempt_id, row_number() OVER (
               PARTITION BY webhook_id ORDER BY started_at DESC, attempt_id DESC
             ) AS position
             FROM delivery
           ) ranked
           WHERE position > $1 LIMIT $2
         ) RETURNING attempt_id`,
        [this.config.DELIVERY_RETENTION_MAX_PER_WEBHOOK, PRUNE_BATCH],
      );
      deleted += excess;
      if (excess < PRUNE_BATCH) {
        break;
      }
    }

    return deleted;
  }
}
