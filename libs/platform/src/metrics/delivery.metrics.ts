import { Injectable } from '@nestjs/common';
import { DELIVERY_OUTCOMES, DeliveryRecordMessage } from '@quor/contracts';
import { Counter, Histogram, Registry } from 'prom-client';

/**
 * Upper bounds in seconds. The attempt's hard deadline is 10 s
 * (DEFAULT_HARD_DEADLINE_MS of @quor/egress).
 */
const ATTEMPT_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 7.5, 10];

/** Upper bounds in seconds, from a fast path to a backlog of an hour. */
const EVENT_TO_DELIVERY_BUCKETS = [
  0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600,
];

/** Metrics of webhook-delivery. */
@Injectable()
export class DeliveryMetrics {
  readonly deliveries: Counter<'outcome'>;
  readonly deliveryJobsDeferred: Counter<'reason'>;
  readonly attemptDuration: Histogram;
  readonly eventToDelivery: Histogram;

  constructor(registry: Registry) {
    this.deliveries = new Counter({
      name: 'quor_deliveries_total',
      help:
        'Delivery attempts whose record the broker confirmed, by outcome ' +
        '(success, http_error, timeout, dns_failure, blocked, tls_error, ' +
        'connection_error).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    for (const outcome of DELIVERY_OUTCOMES) {
      this.deliveries.inc({ outcome }, 0);
    }
    this.deliveryJobsDeferred = new Counter({
      name: 'quor_delivery_jobs_deferred_total',
      help:
        'Delivery jobs deferred because their destination had no free slot, ' +
        'by reason: busy (2 s in webhook-delivery.deferred) or stalled ' +
        '(15 s in webhook-delivery.stalled).',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const reason of ['busy', 'stalled']) {
      this.deliveryJobsDeferred.inc({ reason }, 0);
    }
    this.attemptDuration = new Histogram({
      name: 'quor_delivery_attempt_duration_seconds',
      help: 'Duration of one outbound delivery attempt, DNS lookup included.',
      buckets: ATTEMPT_DURATION_BUCKETS,
      registers: [registry],
    });
    this.eventToDelivery = new Histogram({
      name: 'quor_event_to_delivery_seconds',
      help:
        'Time from the occurred_at of an image event to the end of its ' +
        'delivery attempt, for fan-out jobs only (not redeliveries or pings).',
      buckets: EVENT_TO_DELIVERY_BUCKETS,
      registers: [registry],
    });
  }

  /** Records the attempt that `record` describes. */
  recordAttempt(record: DeliveryRecordMessage): void {
    this.deliveries.inc({ outcome: record.outcome });
    this.attemptDuration.observe(record.timings.total_ms / 1000);
    if (record.kind !== 'event') {
      return;
    }

    // occurred_at comes from the registry's clock, so a clock that runs
    // ahead of this host's could give a negative span; it counts as 0.
    const elapsedMs =
      Date.parse(record.completed_at) - Date.parse(record.occurred_at);
    this.eventToDelivery.observe(Math.max(0, elapsedMs) / 1000);
  }
}
