import { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { loadConfig } from '@quor/platform';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { ConfigServiceConfig } from '../src/config/config-service.config';
import { createConfigApplication } from '../src/config-application';
import {
  configDataSourceOptions,
  runConfigMigrations,
} from '../src/database/data-source';

export const TEST_JWT_SECRET = 'config-service-test-key-0123456789abcdef';

export interface ApiResponse {
  status: number;
  body: Record<string, unknown> & { data?: Record<string, unknown>[] };
  headers: Headers;
}

/**
 * webhook-config started in this process on a fresh schema of the test
 * database, with a broker channel for publishing platform messages.
 */
export class ConfigTestApp {
  app!: INestApplication;
  dataSource!: DataSource;
  baseUrl!: string;
  config!: ConfigServiceConfig;
  private amqp!: ChannelModel;
  channel!: ConfirmChannel;
  private readonly jwt = new JwtService({ secret: TEST_JWT_SECRET });

  async start(overrides: Record<string, string> = {}): Promise<void> {
    this.config = loadConfig(ConfigServiceConfig, {
      ...process.env,
      JWT_SECRET: TEST_JWT_SECRET,
      HTTP_PORT: '3000',
      LOG_LEVEL: 'warn',
      OUTBOX_POLL_INTERVAL_MS: '50',
      ...overrides,
    });
    const reset = new DataSource(
      configDataSourceOptions(this.config.DATABASE_URL),
    );
    await reset.initialize();
    await reset.query('DROP SCHEMA IF EXISTS webhook_config CASCADE');
    await reset.destroy();
    await runConfigMigrations(this.config.DATABASE_URL);

    this.amqp = await connect(this.config.AMQP_URL);
    this.channel = await this.amqp.createConfirmChannel();
    await this.restart();
  }

  /** Starts the application again on the same database, after `app.close()`. */
  async restart(): Promise<void> {
    this.app = await createConfigApplication(this.config);
    await this.app.startAllMicroservices();
    await this.app.listen(0, '127.0.0.1');
    const { port } = this.app.getHttpServer().address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.dataSource = this.app.get(DataSource);
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.amqp?.close().catch(() => undefined);
  }

  token(
    organizationId: string,
    options: { expiresIn?: string; secret?: string } = {},
  ): string {
    const signer = options.secret
      ? new JwtService({ secret: options.secret })
      : this.jwt;

    return signer.sign(
      { organization_id: organizationId },
      { algorithm: 'HS256', expiresIn: (options.expiresIn ?? '5m') as never },
    );
  }

  async request(
    method: string,
    path: string,
    options: {
      organization?: string;
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...options.headers,
    };
    if (options.organization) {
      headers.authorization = `Bearer ${this.token(options.organization)}`;
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body:
        options.rawBody ??
        (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.text();

    return {
      status: response.status,
      body: text ? JSON.parse(text) : {},
      headers: response.headers,
    };
  }

  /** Publishes a platform message on quor.events and waits for the confirm. */
  async publishEvent(routingKey: string, body: object): Promise<void> {
    this.channel.publish(
      'quor.events',
      routingKey,
      Buffer.from(JSON.stringify(body)),
      {
        persistent: true,
        contentType: 'application/json',
      },
    );
    await this.channel.waitForConfirms();
  }

  /** Announces `plan` for `organizationId` and waits until it is stored. */
  async setPlan(
    organizationId: string,
    plan: string,
    trialStartedAt?: Date,
  ): Promise<void> {
    const occurredAt = new Date().toISOString();
    await this.publishEvent('organization.plan_changed', {
      event_id: `${organizationId}-${plan}-${occurredAt}`,
      occurred_at: occurredAt,
      organization_id: organizationId,
      plan,
      ...(trialStartedAt
        ? { trial_started_at: trialStartedAt.toISOString() }
        : {}),
    });
    await this.waitFor(async () => {
      const rows = await this.dataSource.query(
        'SELECT 1 FROM organization WHERE id = $1 AND plan = $2 AND plan_changed_at = $3',
        [organizationId, plan, occurredAt],
      );

      return rows.length === 1;
    }, `plan ${plan} of ${organizationId}`);
  }

  /** Announces a subscription and waits until it is stored. */
  async subscribe(
    organizationId: string,
    registry: string,
    image: string,
  ): Promise<void> {
    await this.publishEvent('subscription.created', {
      event_id: `${organizationId}-${registry}-${image}`,
      occurred_at: new Date().toISOString(),
      organization_id: organizationId,
      registry,
      image,
    });
    await this.waitFor(async () => {
      const rows = await this.dataSource.query(
        'SELECT 1 FROM subscription WHERE organization_id = $1 AND registry = $2 AND image = $3 AND subscribed',
        [organizationId, registry, image],
      );

      return rows.length === 1;
    }, `subscription of ${organizationId} to ${registry}/${image}`);
  }

  async waitFor(
    check: () => Promise<boolean>,
    what: string,
    timeoutMs = 10_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  }
}

export function validWebhook(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Deploy hook',
    url: 'https://hooks.example.com/quor',
    event_types: ['image.updated'],
    images: 'all',
    ...overrides,
  };
}
