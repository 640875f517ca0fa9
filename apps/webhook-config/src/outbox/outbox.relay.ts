import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { RabbitPublisher } from '@quor/messaging';
import { DataSource } from 'typeorm';
import { CONFIG, ConfigServiceConfig } from '../config/config-service.config';

const BATCH_SIZE = 500;
const MAX_BACKOFF_MS = 30_000;

interface OutboxRow {
  id: string;
  exchange: string;
  routing_key: string;
  message_id: string;
  payload: object;
}

/**
 * Publishes committed outbox rows in id order and deletes them once the
 * broker confirmed them. Rows are locked with SKIP LOCKED, so several
 * replicas can relay at once; consumers order changes by version, not by
 * arrival. A crash after the confirmation and before the delete publishes
 * a row again, which consumers absorb because they are idempotent.
 */
@Injectable()
export class OutboxRelay
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: RabbitPublisher,
    @Inject(CONFIG) private readonly config: ConfigServiceConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Wakes the relay at once instead of at the next poll. */
  notify(): void {
    this.wake?.();
  }

  /** Publishes one batch; returns how many rows it published. */
  async publishPending(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT id, exchange, routing_key, message_id, payload
           FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH_SIZE],
      );
      if (rows.length === 0) {
        return 0;
      }
      await this.publisher.publishBatch(
        rows.map((row) => ({
          exchange: row.exchange,
          routingKey: row.routing_key,
          messageId: row.message_id,
          body: row.payload,
        })),
      );
      await manager.query('DELETE FROM outbox WHERE id = ANY($1)', [
        rows.map((row) => row.id),
      ]);

      return rows.length;
    });
  }

  private async run(): Promise<void> {
    let backoff = this.config.OUTBOX_POLL_INTERVAL_MS;
    while (this.running) {
      try {
        const published = await this.publishPending();
        backoff = this.config.OUTBOX_POLL_INTERVAL_MS;
        if (published > 0) {
          continue;
        }
      } catch (error) {
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        this.logger.error(
          { err: error, retry_in_ms: backoff },
          'outbox relay failed',
        );
      }
      await this.sleep(backoff);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
