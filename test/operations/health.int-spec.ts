import { INestApplication } from '@nestjs/common';
import { loadConfig } from '@quor/platform';
import { RabbitPublisher } from '@quor/messaging';
import { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { ConfigServiceConfig } from '../../apps/webhook-config/src/config/config-service.config';
import { createConfigApplication } from '../../apps/webhook-config/src/config-application';
import { runConfigMigrations } from '../../apps/webhook-config/src/database/data-source';
import { DeliveryServiceConfig } from '../../apps/webhook-delivery/src/config/delivery.config';
import { createDeliveryApplication } from '../../apps/webhook-delivery/src/delivery-application';
import { MatcherConfig } from '../../apps/webhook-matcher/src/config/matcher.config';
import { createMatcherApplication } from '../../apps/webhook-matcher/src/matcher.application';
import { SERVICES, ServiceName } from '../../tools/service-process';
import {
  createIsolatedEnvironment,
  IsolatedEnvironment,
} from '@quor/platform/testing';
import {
  launchService,
  RunningService,
  serviceEnvironment,
} from './support/service-harness';

interface HealthResponse {
  status: number;
  body: {
    status?: string;
    info?: Record<string, { status: string }>;
    error?: Record<string, { status: string; message?: string }>;
  };
}

async function getHealth(url: string): Promise<HealthResponse> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });

  return {
    status: response.status,
    body: (await response.json()) as HealthResponse['body'],
  };
}

/** Dependencies that /health/ready of each service checks. */
const READY_CHECKS: Record<ServiceName, string[]> = {
  'webhook-config': ['database', 'broker'],
  'webhook-matcher': ['database', 'broker'],
  'webhook-delivery': ['broker'],
};

describe('health endpoints', () => {
  let environment: IsolatedEnvironment;

  beforeAll(async () => {
    environment = await createIsolatedEnvironment('quor_ops_health');
  }, 60_000);

  afterAll(async () => {
    await environment?.dispose();
  }, 60_000);

  describe.each(SERVICES)('%s process', (name) => {
    let service: RunningService;

    beforeAll(async () => {
      service = await launchService(name, serviceEnvironment(environment));
    }, 90_000);

    afterAll(async () => {
      await service?.terminate();
    }, 60_000);

    it('answers /health/live with 200', async () => {
      const live = await getHealth(service.url('/health/live'));

      expect(live).toEqual({ status: 200, body: { status: 'ok' } });
    });

    it('answers /health/ready with 200', async () => {
      const ready = await getHealth(service.url('/health/ready'));

      expect(ready.status).toBe(200);
    });

    it('reports each dependency up', async () => {
      const ready = await getHealth(service.url('/health/ready'));

      expect(ready.body.info).toEqual(
        Object.fromEntries(
          READY_CHECKS[name].map((check) => [check, { status: 'up' }]),
        ),
      );
    });
  });

  /**
   * The services run in this process, so a test can close one of their
   * connections without touching the shared servers. The consumers are
   * not started, so these applications take no messages.
   */
  describe.each(SERVICES)('%s with a dependency down', (name) => {
    let app: INestApplication;
    let baseUrl: string;

    beforeAll(async () => {
      app = await createApplication(name, environment);
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as AddressInfo;
      baseUrl = `http://127.0.0.1:${port}`;
    }, 60_000);

    afterAll(async () => {
      await app?.close();
    }, 30_000);

    if (READY_CHECKS[name].includes('database')) {
      it('answers 503 without the database', async () => {
        await app.get(DataSource).destroy();

        const ready = await getHealth(`${baseUrl}/health/ready`);

        expect(ready.status).toBe(503);
        expect(ready.body.error?.database?.status).toBe('down');
      });
    }

    it('answers 503 without the broker', async () => {
      await app.get(RabbitPublisher).close();

      const ready = await getHealth(`${baseUrl}/health/ready`);

      expect(ready.status).toBe(503);
      expect(ready.body.error?.broker).toEqual({
        status: 'down',
        message: 'broker connection is closed',
      });
    });

    it('stays live without its dependencies', async () => {
      const live = await getHealth(`${baseUrl}/health/live`);

      expect(live.status).toBe(200);
    });
  });
});

async function createApplication(
  name: ServiceName,
  environment: IsolatedEnvironment,
): Promise<INestApplication> {
  // fatal keeps the errors that the closed connections cause out of the
  // test output.
  const env = serviceEnvironment(environment, { LOG_LEVEL: 'fatal' });
  switch (name) {
    case 'webhook-config': {
      await runConfigMigrations(environment.databaseUrl);

      return createConfigApplication(loadConfig(ConfigServiceConfig, env));
    }
    case 'webhook-matcher':
      return createMatcherApplication(loadConfig(MatcherConfig, env));
    case 'webhook-delivery':
      return createDeliveryApplication(loadConfig(DeliveryServiceConfig, env));
  }
}
