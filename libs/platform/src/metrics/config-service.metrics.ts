import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';

/** Reader of the number of outbox rows not yet published. */
export type OutboxPendingReader = () => Promise<number>;

/** Provider token of the OutboxPendingReader that `quor_outbox_pending` reads. */
export const OUTBOX_PENDING_READER = Symbol('OutboxPendingReader');

/** Maximum time a scrape waits for the outbox count, in milliseconds. */
const OUTBOX_COUNT_TIMEOUT_MS = 1_000;

/** Metrics of webhook-config. */
@Injectable()
export class ConfigServiceMetrics {
  private readonly logger = new Logger(ConfigServiceMetrics.name);
  readonly deliveryRecordsStored: Counter;
  readonly outboxPending: Gauge;
  private outboxCountFailing = false;

  constructor(
    registry: Registry,
    @Optional()
    @Inject(OUTBOX_PENDING_READER)
    private readonly readOutboxPending?: OutboxPendingReader,
  ) {
    this.deliveryRecordsStored = new Counter({
      name: 'quor_delivery_records_stored_total',
      help:
        'Delivery records stored; a record that was already stored is not ' +
        'counted again.',
      registers: [registry],
    });

    const countOutboxPending = () => this.countOutboxPending();
    this.outboxPending = new Gauge({
      name: 'quor_outbox_pending',
      help:
        'Outbox rows not yet published to the broker, counted at scrape ' +
        'time. It keeps its last value while the count fails.',
      registers: [registry],
      async collect() {
        const pending = await countOutboxPending();
        if (pending !== null) {
          this.set(pending);
        }
      },
    });
  }

  /** Returns the outbox count, or null when it failed or timed out. */
  private async countOutboxPending(): Promise<number | null> {
    if (!this.readOutboxPending) {
      return null;
    }

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `outbox count timed out after ${OUTBOX_COUNT_TIMEOUT_MS} ms`,
            ),
          ),
        OUTBOX_COUNT_TIMEOUT_MS,
      );
    });
    try {
      const pending = await Promise.race([this.readOutboxPending(), timeout]);
      this.outboxCountFailing = false;

      return pending;
    } catch (error) {
      // Logged once per run of failures, because every scrape repeats it.
      if (!this.outboxCountFailing) {
        this.logger.warn(
          { err: error },
          'counting pending outbox rows failed; quor_outbox_pending keeps its last value',
        );
      }
      this.outboxCountFailing = true;

      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
