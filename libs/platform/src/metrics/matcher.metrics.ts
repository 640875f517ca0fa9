import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/** Metrics of webhook-matcher. */
@Injectable()
export class MatcherMetrics {
  readonly eventsConsumed: Counter<'routing_key'>;
  readonly deliveryJobsPublished: Counter;

  constructor(registry: Registry) {
    this.eventsConsumed = new Counter({
      name: 'quor_events_consumed_total',
      help:
        'Messages whose handler finished and that were acknowledged, by ' +
        'routing key (image.updated, webhook.changed and the others).',
      labelNames: ['routing_key'],
      registers: [registry],
    });
    this.deliveryJobsPublished = new Counter({
      name: 'quor_delivery_jobs_published_total',
      help: 'Delivery jobs of event fan-outs that the broker confirmed.',
      registers: [registry],
    });
  }

  /** Options for RabbitTransport that count consumed events. */
  transportHooks(): {
    onConsumed: (queue: string, routingKey: string) => void;
  } {
    return {
      onConsumed: (_queue, routingKey) =>
        this.eventsConsumed.inc({ routing_key: routingKey }),
    };
  }
}
