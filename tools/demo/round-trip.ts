import { JwtService } from '@nestjs/jwt';
import { connect } from 'amqplib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { localEnv } from '../local-env';
import { purgeWebhookQueues } from '../purge-queues';
import {
  SERVICES,
  ServiceName,
  ServiceProcess,
  startServiceProcess,
  stopServiceProcess,
  waitUntilReady,
} from '../service-process';
import { generateDemoCertificates } from './certificates';
import {
  DEMO_IMAGE,
  DEMO_REGISTRY,
  exampleImageUpdated,
} from './example-event';
import { DemoReceiver, ReceivedRequest } from './receiver';

/** Ports of the services the round trip starts, apart from `npm start`'s. */
export const ROUND_TRIP_PORTS: Record<ServiceName, number> = {
  'webhook-config': 3100,
  'webhook-matcher': 3101,
  'webhook-delivery': 3102,
};

/** Database the round trip creates afresh on the server of DATABASE_URL. */
export const ROUND_TRIP_DATABASE = 'quor_webhooks_round_trip';

/**
 * Creates an empty database for the round trip and returns its URL, so
 * that webhooks stored by `npm start` or by tests never match its event.
 */
async function createRoundTripDatabase(serverUrl: string): Promise<string> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(
      `DROP DATABASE IF EXISTS ${ROUND_TRIP_DATABASE} WITH (FORCE)`,
    );
    await admin.query(`CREATE DATABASE ${ROUND_TRIP_DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${ROUND_TRIP_DATABASE}`;

  return url.toString();
}

export interface RoundTripOptions {
  /** Receives progress lines. */
  log: (line: string) => void;
  /** Receives every line the services log. */
  serviceLog?: (service: ServiceName, line: string) => void;
  /** Bound on each wait, in milliseconds. */
  timeoutMs?: number;
}

export interface RoundTripResult {
  organizationId: string;
  webhookId: string;
  eventId: string;
  /** The delivery as GET /v1/webhooks/:id/deliveries lists it. */
  listed: Record<string, unknown> | null;
  /** The same delivery opened with its request and response. */
  detail: Record<string, unknown> | null;
  received: ReceivedRequest[];
}

const EXCHANGE = 'quor.events';

async function poll<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | null>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== null) {
      return value;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * Runs the whole path once on a database of its own, after emptying the
 * webhook queues. It starts the services and an HTTPS receiver on
 * loopback, announces an organization on the Trial plan subscribed to
 * registry.quor.dev/default/image, and creates a webhook through the REST
 * API. Then it publishes the example event and waits for the delivery to
 * be listed. Everything it started is stopped before it returns or throws.
 */
export async function runRoundTrip(
  options: RoundTripOptions,
): Promise<RoundTripResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const env = localEnv();
  env.DATABASE_URL = await createRoundTripDatabase(env.DATABASE_URL);
  await purgeWebhookQueues(env.AMQP_URL);
  const workdir = mkdtempSync(path.join(tmpdir(), 'quor-demo-'));
  const certificates = generateDemoCertificates();
  const caFile = path.join(workdir, 'demo-ca.pem');
  writeFileSync(caFile, certificates.caCertificate);
  const receiver = new DemoReceiver(certificates);
  const services: ServiceProcess[] = [];
  const amqp = await connect(env.AMQP_URL);
  const database = new Client({ connectionString: env.DATABASE_URL });

  try {
    const receiverPort = await receiver.start();
    options.log(
      `receiver listening on https://localhost:${receiverPort}/ (CA generated for this run)`,
    );

    for (const name of SERVICES) {
      services.push(
        startServiceProcess(
          name,
          {
            ...env,
            HTTP_PORT: String(ROUND_TRIP_PORTS[name]),
            EGRESS_ALLOW_LOOPBACK: 'true',
            EGRESS_EXTRA_CA_FILE: name === 'webhook-delivery' ? caFile : '',
            LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
          },
          (line) => options.serviceLog?.(name, line),
        ),
      );
    }
    for (const service of services) {
      await waitUntilReady(
        service,
        `http://127.0.0.1:${ROUND_TRIP_PORTS[service.name]}/health/ready`,
        90_000,
      );
      options.log(
        `${service.name} ready on port ${ROUND_TRIP_PORTS[service.name]}`,
      );
    }

    const organizationId = `demo-${Date.now().toString(36)}`;
    const channel = await amqp.createConfirmChannel();
    const publish = async (routingKey: string, body: object) => {
      channel.publish(EXCHANGE, routingKey, Buffer.from(JSON.stringify(body)), {
        persistent: true,
        contentType: 'application/json',
      });
      await channel.waitForConfirms();
    };
    const now = new Date().toISOString();
    await publish('organization.plan_changed', {
      event_id: `${organizationId}-plan`,
      occurred_at: now,
      organization_id: organizationId,
      plan: 'trial',
      trial_started_at: now,
    });
    await publish('subscription.created', {
      event_id: `${organizationId}-subscription`,
      occurred_at: now,
      organization_id: organizationId,
      registry: DEMO_REGISTRY,
      image: DEMO_IMAGE,
    });
    options.log(
      `published the Trial plan and a subscription to ${DEMO_REGISTRY}/${DEMO_IMAGE} for ${organizationId}`,
    );

    const token = new JwtService({ secret: env.JWT_SECRET }).sign(
      { organization_id: organizationId },
      { algorithm: 'HS256', expiresIn: '10m' },
    );
    const api = async (method: string, route: string, body?: object) => {
      const response = await fetch(
        `http://127.0.0.1:${ROUND_TRIP_PORTS['webhook-config']}${route}`,
        {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
          },
          body: body ? JSON.stringify(body) : undefined,
        },
      );

      return {
        status: response.status,
        body: (await response.json()) as Record<string, unknown>,
      };
    };

    await poll(
      'the subscription and plan in webhook-config',
      timeoutMs,
      async () => {
        const plan = await api('GET', '/v1/plan');
        const subscriptions = await api('GET', '/v1/subscriptions');
        const ready =
          plan.body.plan === 'trial' &&
          (subscriptions.body.data as unknown[]).length === 1;

        return ready ? true : null;
      },
    );

    const created = await api('POST', '/v1/webhooks', {
      name: 'Demo receiver',
      url: `https://localhost:${receiverPort}/quor`,
      event_types: ['image.updated'],
      images: [{ registry: DEMO_REGISTRY, image: DEMO_IMAGE }],
    });
    if (created.status !== 201) {
      throw new Error(
        `creating the webhook failed with ${created.status}: ${JSON.stringify(created.body)}`,
      );
    }
    const webhookId = created.body.id as string;
    receiver.setSecret(created.body.secret as string);
    options.log(`created webhook ${webhookId} through POST /v1/webhooks`);

    // The matcher learns of the webhook through the outbox; the event must
    // not overtake it, so the harness watches the matcher's read model.
    await database.connect();
    await poll('the webhook in the matcher', timeoutMs, async () => {
      const rows = await database
        .query(
          'SELECT 1 FROM webhook_matcher.webhook WHERE id = $1 AND enabled',
          [webhookId],
        )
        .catch(() => ({ rowCount: 0 }));

      return rows.rowCount ? true : null;
    });

    const event = exampleImageUpdated();
    await publish('image.updated', event);
    await channel.close();
    options.log(`published image.updated ${event.event_id}`);

    const listed = await poll(
      'the delivery in GET /v1/webhooks/:id/deliveries',
      timeoutMs,
      async () => {
        const page = await api('GET', `/v1/webhooks/${webhookId}/deliveries`);
        const first = (
          page.body.data as Record<string, unknown>[] | undefined
        )?.[0];

        return first ?? null;
      },
    );
    const detail = await api(
      'GET',
      `/v1/webhooks/${webhookId}/deliveries/${listed.id as string}`,
    );

    return {
      organizationId,
      webhookId,
      eventId: event.event_id,
      listed,
      detail: detail.body,
      received: receiver.requests,
    };
  } finally {
    await Promise.all(services.map((service) => stopServiceProcess(service)));
    await receiver.stop();
    await amqp.close().catch(() => undefined);
    await database.end().catch(() => undefined);
    rmSync(workdir, { recursive: true, force: true });
  }
}
