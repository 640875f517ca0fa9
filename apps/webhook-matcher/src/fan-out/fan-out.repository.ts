import { EVENT_TYPES, TRIAL_DAYS } from '@quor/contracts';
import { DataSource, QueryRunner } from 'typeorm';
import { JobTarget } from './delivery-job';

/**
 * Class id of the advisory locks that serialize the processing of one
 * event. The two-key form keeps these locks apart from other users of
 * advisory locks in the same database.
 */
const FAN_OUT_LOCK_CLASS = 0x6d61_7463;

const CURSOR = 'fan_out_jobs';

/**
 * A webhook's job fields as JSON object members, built by PostgreSQL in the
 * form and order of `jobFieldsJson`. to_json escapes text as JSON.stringify
 * does; the tests compare both on control characters, quotes, backslashes
 * and non-ASCII text.
 */
export const JOB_FIELDS_SQL = `'"organization_id":' || to_json(w.organization_id)::text
  || ',"webhook_id":"' || w.id::text
  || '","url":' || to_json(w.url)::text
  || ',"secrets":' || array_to_json(w.secrets)::text`;

/** Stored progress of one event. */
export interface ProcessedEvent {
  /** Sequence number that keys the event's job rows; bigint as text. */
  seq: string;
  job_count: number;
  /** Webhook id of the last job published, in webhook id order. */
  published_through: string | null;
  completed_at: Date | null;
}

export interface MatchQuery {
  eventId: string;
  registry: string;
  image: string;
  /** Time at which subscriptions and plans are evaluated. */
  now: Date;
}

/**
 * SQL of the fan-out bookkeeping. Reads run on `runner`, the connection of
 * one fan-out that holds the event's advisory lock and, while jobs are
 * published, the transaction of the job cursor. Progress is written through
 * the pool, so it commits after each confirmed part and survives a crash.
 */
export class FanOutRepository {
  constructor(
    private readonly runner: QueryRunner,
    private readonly pool: DataSource,
  ) {}

  /**
   * Counts one more reception of an event that was fully fanned out.
   * Returns null when the event is unknown or not complete.
   */
  async countCompletedReception(
    eventId: string,
  ): Promise<ProcessedEvent | null> {
    const { records } = await this.execute<ProcessedEvent>(
      `UPDATE processed_event SET receive_count = receive_count + 1
       WHERE event_id = $1 AND completed_at IS NOT NULL
       RETURNING seq, job_count, published_through, completed_at`,
      [eventId],
    );

    return records[0] ?? null;
  }

  /** Counts one more reception of a known event. Returns null when unknown. */
  async countReception(eventId: string): Promise<ProcessedEvent | null> {
    const { records } = await this.execute<ProcessedEvent>(
      `UPDATE processed_event SET receive_count = receive_count + 1
       WHERE event_id = $1
       RETURNING seq, job_count, published_through, completed_at`,
      [eventId],
    );

    return records[0] ?? null;
  }

  /**
   * Stores the event row and one job row per matching webhook in one
   * transaction. Returns the event's sequence number and the number of
   * jobs.
   *
   * A webhook matches when it is enabled, not deleted and selects
   * image.updated, and when it selects all images or this one. Its
   * organization must be subscribed to the image, and its plan must allow
   * webhooks at `now`: enterprise does, a trial younger than TRIAL_DAYS
   * does, and free plans and organizations without a known plan do not.
   *
   * Job rows are inserted in webhook id order, the order of the primary
   * key, which makes the insert cheaper. The event row's primary key keeps a
   * second snapshot of the same event from adding rows.
   */
  async snapshotMatches(
    query: MatchQuery,
  ): Promise<{ seq: string; jobCount: number }> {
    await this.runner.startTransaction();
    try {
      const { records } = await this.execute<{ seq: string }>(
        `INSERT INTO processed_event (event_id, registry, image, job_count,
           receive_count, matched_at)
         VALUES ($1, $2, $3, 0, 1, $4)
         RETURNING seq`,
        [query.eventId, query.registry, query.image, query.now],
      );
      const seq = records[0].seq;
      const inserted = await this.execute(
        `INSERT INTO fan_out_target (event_seq, webhook_id)
         SELECT $1::bigint, w.id
         FROM subscription s
         JOIN organization_plan p ON p.organization_id = s.organization_id
         JOIN webhook w ON w.organization_id = s.organization_id
         WHERE s.registry = $2 AND s.image = $3 AND s.subscribed
           AND (p.plan = 'enterprise'
             OR (p.plan = 'trial' AND (p.trial_started_at IS NULL
               OR $4 < p.trial_started_at + make_interval(days => $5))))
           AND w.enabled AND NOT w.deleted
           AND $6 = ANY (w.event_types)
           AND (w.all_images OR EXISTS (
             SELECT 1 FROM webhook_image i
             WHERE i.webhook_id = w.id AND i.registry = $2 AND i.image = $3))
         ORDER BY w.id`,
        [
          seq,
          query.registry,
          query.image,
          query.now,
          TRIAL_DAYS,
          EVENT_TYPES[0],
        ],
      );
      const jobCount = inserted.affected;
      await this.execute(
        'UPDATE processed_event SET job_count = $2 WHERE seq = $1',
        [seq, jobCount],
      );
      await this.runner.commitTransaction();

      return { seq, jobCount };
    } catch (error) {
      await this.runner.rollbackTransaction();
      throw error;
    }
  }

  /**
   * Moves the job rows that the release before `fan_out_target` stored for
   * an event in `fan_out_job`, when that release began the fan-out and this
   * one resumes it. Returns how many rows moved.
   */
  async adoptLegacyJobs(eventId: string, eventSeq: string): Promise<number> {
    await this.runner.startTransaction();
    try {
      const moved = await this.execute(
        `INSERT INTO fan_out_target (event_seq, webhook_id)
         SELECT $2::bigint, webhook_id FROM fan_out_job WHERE event_id = $1
         ON CONFLICT DO NOTHING`,
        [eventId, eventSeq],
      );
      await this.execute('DELETE FROM fan_out_job WHERE event_id = $1', [
        eventId,
      ]);
      await this.runner.commitTransaction();

      return moved.affected;
    } catch (error) {
      await this.runner.rollbackTransaction();
      throw error;
    }
  }

  /**
   * Opens a cursor over the event's jobs after `publishedThrough` in
   * webhook id order, with the webhook fields a job needs. The cursor
   * reads one snapshot in one transaction and hands out rows in batches,
   * so no batch query scans the rows of the batches before it.
   */
  async openJobCursor(
    eventSeq: string,
    publishedThrough: string | null,
  ): Promise<void> {
    await this.runner.startTransaction();
    try {
      const after = publishedThrough === null ? '' : 'AND j.webhook_id > $2';
      await this.execute(
        `DECLARE ${CURSOR} NO SCROLL CURSOR FOR
         SELECT j.webhook_id, ${JOB_FIELDS_SQL} AS fields
         FROM fan_out_target j
         JOIN webhook w ON w.id = j.webhook_id
         WHERE j.event_seq = $1 ${after}
         ORDER BY j.webhook_id`,
        publishedThrough === null ? [eventSeq] : [eventSeq, publishedThrough],
      );
    } catch (error) {
      await this.runner.rollbackTransaction();
      throw error;
    }
  }

  /** Reads up to `count` rows from the open cursor. */
  async fetchJobs(count: number): Promise<JobTarget[]> {
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(`batch size must be a positive integer, got ${count}`);
    }
    const { records } = await this.execute<JobTarget>(
      `FETCH FORWARD ${count} FROM ${CURSOR}`,
      [],
    );

    return records;
  }

  /** Closes the cursor and ends its read-only transaction. */
  async closeJobCursor(): Promise<void> {
    if (this.runner.isTransactionActive) {
      await this.runner.rollbackTransaction();
    }
  }

  /**
   * Records that every job up to `webhookId` in webhook id order was
   * published. It commits at once, outside the cursor's transaction.
   */
  async markPublishedThrough(
    eventId: string,
    webhookId: string,
  ): Promise<void> {
    await this.pool.query(
      'UPDATE processed_event SET published_through = $2 WHERE event_id = $1',
      [eventId, webhookId],
    );
  }

  /**
   * Marks the event complete and deletes its job rows in one transaction.
   * Later receptions of the event find `completed_at` and publish nothing,
   * so the rows have no further use, and `fan_out_target` only contains the
   * jobs of fan-outs in progress. ProcessedEventRetention deletes the
   * event row after PROCESSED_EVENT_RETENTION_DAYS.
   */
  async markCompleted(eventSeq: string): Promise<void> {
    await this.runner.startTransaction();
    try {
      await this.execute(
        'UPDATE processed_event SET completed_at = now() WHERE seq = $1',
        [eventSeq],
      );
      await this.execute('DELETE FROM fan_out_target WHERE event_seq = $1', [
        eventSeq,
      ]);
      await this.runner.commitTransaction();
    } catch (error) {
      await this.runner.rollbackTransaction();
      throw error;
    }
  }

  /** Waits until no other fan-out of this event holds the lock. */
  async lockEvent(eventId: string): Promise<void> {
    await this.execute('SELECT pg_advisory_lock($1, hashtext($2))', [
      FAN_OUT_LOCK_CLASS,
      eventId,
    ]);
  }

  async unlockEvent(eventId: string): Promise<void> {
    await this.execute('SELECT pg_advisory_unlock($1, hashtext($2))', [
      FAN_OUT_LOCK_CLASS,
      eventId,
    ]);
  }

  private async execute<T = unknown>(
    sql: string,
    parameters: unknown[],
  ): Promise<{ records: T[]; affected: number }> {
    const result = await this.runner.query(sql, parameters, true);

    return { records: result.records as T[], affected: result.affected ?? 0 };
  }
}
