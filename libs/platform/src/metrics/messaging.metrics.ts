import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/** Metrics of RabbitTransport, recorded through its option hooks. */
@Injectable()
export class MessagingMetrics {
  readonly messagesDeadLettered: Counter<'queue'>;

  constructor(registry: Registry) {
    this.messagesDeadLettered = new Counter({
      name: 'quor_messages_dead_lettered_total',
      help:
        'Messages a consumer copied to the quor.dead-letter exchange, by the ' +
        'queue they came from. Messages the broker dead-letters itself after ' +
        'the delivery limit are not counted.',
      labelNames: ['queue'],
      registers: [registry],
    });
  }

  /** Options for RabbitTransport that count dead-lettered messages. */
  transportHooks(): { onDeadLetter: (queue: string) => void } {
    return {
      onDeadLetter: (queue) => this.messagesDeadLettered.inc({ queue }),
    };
  }
}
