import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DELIVERY_REQUESTED,
  ImageUpdatedMessage,
  toImageUpdatedPayload,
} from '@quor/contracts';
import {
  OutgoingMessage,
  RabbitPublisher,
  RequeueError,
  WEBHOOKS_EXCHANGE,
} from '@quor/messaging';
import { MatcherMetrics } from '@quor/platform';
import { DataSource } from 'typeorm';
import { MATCHER_CONFIG, MatcherConfig } from '../config/matcher.config';
import { DeliveryJobEncoder, FanOutEvent, JobTarget } from './delivery-job';
import { FanOutRepository } from './fan-out.repository';

/**
 * Attaches a no-op rejection handler to `work`, a promise awaited later. A
 * rejection before that await is then not reported as unhandled, and the
 * await still throws it.
 */
function quietly<T>(work: Promise<T>): Promise<T> {
  work.catch(() => undefined);

  return work;
}

/** Jobs handed to the broker whose confirmation is awaited. */
interface PublishingHalf {
  confirmed: Promise<void>;
  size: number;
  /** Webhook id of the last job, where the mark moves once confirmed. */
  lastWebhookId: string;
}

export interface FanOutResult {
  /** `duplicate` when an earlier reception already completed the fan-out. */
  outcome: 'fanned_out' | 'duplicate';
  /** Webhooks that matched when the event was first processed. */
  jobs: number;
  /** Jobs published by this call, fewer than `jobs` after a resume. */
  published: number;
}

/**
 * Stops a fan-out between two batches while the process shuts down. The
 * message goes back to the queue, and the next reception resumes with the
 * unpublished jobs.
 */
export class FanOutInterruptedError extends RequeueError {
  constructor(eventId: string) {
    super(
      `fan-out of event ${eventId} stopped for shutdown; it resumes on redelivery`,
    );
    this.name = 'FanOutInterruptedError';
  }
}

/**
 * Publishes exactly one delivery job per (event, matching webhook).
 *
 * The first reception of an event stores one job row per matching webhook
 * and the event row in one transaction, so the set of webhooks is fixed at
 * that moment. Jobs are then read through a cursor in webhook id order and
 * published in parts of half a batch. After the broker confirmed a part,
 * the event row records the last webhook id of that part
 * (`published_through`), which marks every job up to it as published with
 * one row update per part. A
 * reception of an event that is not complete (a redelivery after a crash,
 * or a duplicate) publishes only the jobs after that mark. An advisory lock
 * per event keeps two receptions from publishing the same jobs at once.
 */
@Injectable()
export class FanOutService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(FanOutService.name);
  private readonly inFlight = new Set<Promise<FanOutResult>>();
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly publisher: RabbitPublisher,
    @Inject(MATCHER_CONFIG) private readonly config: MatcherConfig,
    private readonly metrics: MatcherMetrics,
  ) {}

  /**
   * Waits up to MATCHER_SHUTDOWN_GRACE_MS for fan-outs in progress, then
   * makes the remaining ones stop at their next batch.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const deadline = Date.now() + this.config.MATCHER_SHUTDOWN_GRACE_MS;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (this.inFlight.size > 0) {
      this.logger.warn(
        { fan_outs: this.inFlight.size },
        'fan-outs still running at shutdown; stopping them between batches',
      );
    }
    this.stopping = true;
  }

  async fanOut(message: ImageUpdatedMessage): Promise<FanOutResult> {
    const work = this.fanOutOnce(message);
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  private async fanOutOnce(
    message: ImageUpdatedMessage,
  ): Promise<FanOutResult> {
    const runner = this.dataSource.createQueryRunner();
    const repository = new FanOutRepository(runner, this.dataSource);

    try {
      const completed = await repository.countCompletedReception(
        message.event_id,
      );
      if (completed) {
        return {
          outcome: 'duplicate',
          jobs: completed.job_count,
          published: 0,
        };
      }

      await repository.lockEvent(message.event_id);
      try {
        return await this.fanOutLocked(repository, message);
      } finally {
        await this.unlock(repository, message.event_id);
      }
    } finally {
      await runner.release();
    }
  }

  private async fanOutLocked(
    repository: FanOutRepository,
    message: ImageUpdatedMessage,
  ): Promise<FanOutResult> {
    const { event_id, registry, image } = message;

    const known = await repository.countReception(event_id);
    if (known?.completed_at) {
      return { outcome: 'duplicate', jobs: known.job_count, published: 0 };
    }

    const snapshot = known
      ? { seq: known.seq, jobCount: known.job_count }
      : await repository.snapshotMatches({
          eventId: event_id,
          registry,
          image,
          now: new Date(),
        });
    this.logger.log(
      {
        event_id,
        registry,
        image,
        webhooks: snapshot.jobCount,
        resumed: known !== null,
      },
      known ? 'fan-out resumed' : 'fan-out matched',
    );
    if (known) {
      const adopted = await repository.adoptLegacyJobs(event_id, known.seq);
      if (adopted > 0) {
        this.logger.log(
          { event_id, jobs: adopted },
          'job rows of the previous release moved to fan_out_target',
        );
      }
    }

    await repository.openJobCursor(
      snapshot.seq,
      known?.published_through ?? null,
    );
    let published: number;
    try {
      published = await this.publishUnpublished(repository, message);
    } catch (error) {
      // The publishing error is the one to report. A failed close only
      // means the connection is gone, which also ends the transaction.
      await repository
        .closeJobCursor()
        .catch((closeError: unknown) =>
          this.logger.warn(
            { event_id, err: closeError },
            'closing the job cursor failed',
          ),
        );
      throw error;
    }
    await repository.closeJobCursor();
    await repository.markCompleted(snapshot.seq);

    return { outcome: 'fanned_out', jobs: snapshot.jobCount, published };
  }

  /**
   * Publishes the jobs of the open cursor and returns how many were
   * published. Jobs go out in halves of FAN_OUT_BATCH_SIZE, at most two at
   * a time, so the broker has one half to confirm while the next one is
   * sent. Three things overlap: the cursor reads the next half while the
   * broker confirms, and the mark moves past a confirmed half, in order,
   * while the next half is sent. At most one and a half FAN_OUT_BATCH_SIZE
   * jobs are ever published and not yet marked, which bounds both memory
   * and what a crash can repeat.
   */
  private async publishUnpublished(
    repository: FanOutRepository,
    message: ImageUpdatedMessage,
  ): Promise<number> {
    const event: FanOutEvent = {
      event_id: message.event_id,
      occurred_at: message.occurred_at,
      payload: toImageUpdatedPayload(message),
    };
    const batchSize = this.config.FAN_OUT_BATCH_SIZE;
    const halfSize = Math.max(1, Math.floor(batchSize / 2));
    const maxInFlight = batchSize >= 2 ? 2 : 1;
    const inFlight: PublishingHalf[] = [];
    const readNext = () => quietly(repository.fetchJobs(halfSize));
    let reading: Promise<JobTarget[]> | null = readNext();
    let marking: Promise<void> = Promise.resolve();
    let published = 0;

    try {
      for (;;) {
        // At shutdown no new jobs are sent, but those in flight are still
        // confirmed and marked before the fan-out stops.
        while (reading && !this.stopping && inFlight.length < maxInFlight) {
          const targets: JobTarget[] = await reading;
          reading = targets.length < halfSize ? null : readNext();
          if (targets.length > 0) {
            inFlight.push(this.publishHalf(event, targets));
          }
        }

        const oldest = inFlight.shift();
        if (!oldest && reading) {
          throw new FanOutInterruptedError(event.event_id);
        }
        if (!oldest) {
          await marking;

          return published;
        }
        await oldest.confirmed;
        this.metrics.deliveryJobsPublished.inc(oldest.size);

        // A crash after the broker confirmed jobs and before the mark moved
        // past them makes the next reception publish them again. The copies
        // keep their delivery_id (the webhook-id header) and attempt_id, so
        // receivers and delivery records can drop them.
        await marking;
        marking = quietly(
          repository.markPublishedThrough(event.event_id, oldest.lastWebhookId),
        );
        published += oldest.size;
      }
    } finally {
      // The cursor's connection runs one query at a time, so a read still
      // pending must finish before the caller closes the cursor.
      await reading?.catch(() => undefined);
      await marking.catch(() => undefined);
    }
  }

  /** Starts publishing the jobs of `targets` without waiting for confirms. */
  private publishHalf(
    event: FanOutEvent,
    targets: JobTarget[],
  ): PublishingHalf {
    // Awaited in order by the caller, which may stop before it gets here.
    const confirmed = quietly(
      this.publisher.publishBatch(this.buildBatch(event, targets)),
    );

    return {
      confirmed,
      size: targets.length,
      lastWebhookId: targets[targets.length - 1].webhook_id,
    };
  }

  /** Builds the `delivery.requested` messages of one batch. */
  private buildBatch(
    event: FanOutEvent,
    targets: JobTarget[],
  ): OutgoingMessage[] {
    const encoder = new DeliveryJobEncoder(event, new Date().toISOString());

    return targets.map((target) => {
      const { deliveryId, body } = encoder.encode(target);

      return {
        exchange: WEBHOOKS_EXCHANGE,
        routingKey: DELIVERY_REQUESTED,
        body,
        messageId: deliveryId,
      };
    });
  }

  /**
   * Releases the event's lock. pg_advisory_unlock returns false rather than
   * raising for a lock that is not held, so an error here comes from a
   * broken connection. pg-pool discards such a connection, and closing it
   * releases the lock, so the error is logged and not raised.
   */
  private async unlock(
    repository: FanOutRepository,
    eventId: string,
  ): Promise<void> {
    try {
      await repository.unlockEvent(eventId);
    } catch (error) {
      this.logger.error(
        { event_id: eventId, err: error },
        'advisory lock release failed',
      );
    }
  }
}
