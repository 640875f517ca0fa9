import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PeriodicTask } from '@quor/platform';
import { DataSource } from 'typeorm';
import { MATCHER_CONFIG, MatcherConfig } from '../config/matcher.config';

/** How often completed events past the retention period are deleted. */
export const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/** Rows deleted per statement, so pruning never holds long locks. */
const PRUNE_BATCH = 10_000;

/**
 * Deletes the `processed_event` rows of fan-outs completed more than
 * PROCESSED_EVENT_RETENTION_DAYS ago. Those rows are what makes a second
 * reception of an event publish nothing, so an event id that arrives again
 * after the retention period fans out again. Fan-outs in progress are
 * never deleted. Several replicas may prune at once: a row is deleted once.
 */
@Injectable()
export class ProcessedEventRetention
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(ProcessedEventRetention.name);
  private readonly task = new PeriodicTask(
    PRUNE_INTERVAL_MS,
    () => this.pruneAndLog(),
    (error) =>
      this.logger.error(
        { err: error },
        'deleting old processed events failed; retrying in an hour',
      ),
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(MATCHER_CONFIG) private readonly config: MatcherConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** Deletes the events completed before the retention period; returns how many. */
  async prune(now: Date): Promise<number> {
    const cutoff = new Date(
      now.getTime() -
        this.config.PROCESSED_EVENT_RETENTION_DAYS * 24 * 3600 * 1000,
    );
    let deleted = 0;
    for (;;) {
      // A top-level DELETE makes TypeORM return [rows, count], so the
      // statement runs inside a CTE that counts its rows.
      const [{ count }] = (await this.dataSource.query(
        `WITH deleted AS (
           DELETE FROM processed_event WHERE seq IN (
             SELECT seq FROM processed_event
             WHERE completed_at < $1
             LIMIT $2
           ) RETURNING seq
         )
         SELECT count(*)::int AS count FROM deleted`,
        [cutoff, PRUNE_BATCH],
      )) as { count: number }[];
      deleted += count;
      if (count < PRUNE_BATCH) {
        return deleted;
      }
    }
  }

  private async pruneAndLog(): Promise<void> {
    const deleted = await this.prune(new Date());
    if (deleted > 0) {
      this.logger.log(
        { deleted_events: deleted },
        'old processed events deleted',
      );
    }
  }
}
