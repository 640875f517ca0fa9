import { validateWebhookUrl } from '@quor/egress';
import { Agent, request as httpRequest } from 'node:http';
import { DeliveriesService } from '../src/deliveries/deliveries.service';
import {
  ConfigTestApp,
  TEST_JWT_SECRET,
  validWebhook,
} from './config-test-app';
import { deliveryRecord } from './delivery-record.fixture';
import {
  BAD_IDS,
  CONTENT_TYPES,
  deeplyNested,
  HARD_FIELD_VALUES,
  mutateObject,
  QUERY_STRINGS,
  randomBadAuthorization,
  randomBadId,
  randomJson,
  randomObject,
  randomQuery,
  randomString,
  randomUuid,
  SeededRandom,
} from './fuzz-inputs';

/** Requests per endpoint; with the fixed seeds every run sends the same ones. */
const REQUESTS_PER_ENDPOINT = 150;
const CONCURRENCY = 8;

/**
 * A URL that the service rejects on save, because the suite starts it with
 * EGRESS_ALLOW_LOOPBACK=false. Test-connection bodies carry it in place of
 * any URL that would pass.
 */
const REJECTED_URL = 'https://127.0.0.1/';

interface Endpoint {
  name: string;
  method: string;
  /** Path with `{webhookId}` and `{deliveryId}` placeholders. */
  path: string;
  /** A body the endpoint accepts, which the fuzzer mutates. */
  body?: Record<string, unknown>;
  /** True for list operations, which read query parameters. */
  query?: boolean;
  /** True when an accepted body makes a delivery worker send a request. */
  outbound?: boolean;
}

const ENDPOINTS: Endpoint[] = [
  { name: 'list webhooks', method: 'GET', path: '/v1/webhooks', query: true },
  { name: 'get webhook', method: 'GET', path: '/v1/webhooks/{webhookId}' },
  {
    name: 'create webhook',
    method: 'POST',
    path: '/v1/webhooks',
    body: validWebhook({
      url: 'https://fuzz.example.com/hook',
      enabled: false,
    }),
  },
  {
    name: 'update webhook',
    method: 'PATCH',
    path: '/v1/webhooks/{webhookId}',
    body: { name: 'renamed', event_types: ['image.updated'], images: 'all' },
  },
  {
    name: 'enable webhook',
    method: 'POST',
    path: '/v1/webhooks/{webhookId}/enable',
  },
  {
    name: 'disable webhook',
    method: 'POST',
    path: '/v1/webhooks/{webhookId}/disable',
  },
  {
    name: 'delete webhook',
    method: 'DELETE',
    path: '/v1/webhooks/{webhookId}',
  },
  {
    name: 'test connection',
    method: 'POST',
    path: '/v1/webhooks/test-connection',
    body: { url: REJECTED_URL },
    outbound: true,
  },
  { name: 'ping', method: 'POST', path: '/v1/webhooks/{webhookId}/ping' },
  {
    name: 'rotate secret',
    method: 'POST',
    path: '/v1/webhooks/{webhookId}/rotate-secret',
  },
  { name: 'subscriptions', method: 'GET', path: '/v1/subscriptions' },
  { name: 'plan', method: 'GET', path: '/v1/plan' },
  {
    name: 'list deliveries',
    method: 'GET',
    path: '/v1/webhooks/{webhookId}/deliveries',
    query: true,
  },
  {
    name: 'get delivery',
    method: 'GET',
    path: '/v1/webhooks/{webhookId}/deliveries/{deliveryId}',
  },
  {
    name: 'redeliver',
    method: 'POST',
    path: '/v1/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver',
  },
];

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

interface Ids {
  organization: string;
  webhookId: string;
  deliveryId: string;
}

/**
 * True when test-connection would hand `text` to a delivery worker: a JSON
 * object whose url passes the checks on save. The fuzzer never sends such a
 * body, so no fuzz input makes an outbound request.
 */
function reachesDeliveryWorker(text: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return false;
  }
  const url = (parsed as { url?: unknown }).url;

  return typeof url === 'string' && validateWebhookUrl(url) === null;
}

function buildBody(
  random: SeededRandom,
  endpoint: Endpoint,
): { body?: string | Uint8Array } {
  const template = endpoint.body ?? { name: 'x' };
  const choice = random.int(12);
  switch (choice) {
    case 0:
      return {};
    case 1:
      return { body: JSON.stringify(template) };
    case 2:
    case 3:
    case 4:
      return { body: JSON.stringify(mutateObject(random, template)) };
    case 5:
      return { body: JSON.stringify(randomJson(random)) };
    case 6:
      return { body: JSON.stringify(randomObject(random)) };
    case 7:
      // Built as text, because JSON.stringify recurses once per level.
      return {
        body: `${JSON.stringify(template).slice(0, -1)},"extra":${deeplyNested(random, 5_000)}}`,
      };
    case 8:
      return { body: deeplyNested(random, random.pick([100, 5_000, 30_000])) };
    case 9:
      return {
        body: random.pick([
          '',
          '{bad',
          'null',
          '"string"',
          '12',
          'name=x&url=y',
          '<xml/>',
          '{"name": "x",}',
          '\u0000',
          '{"a":"\\ud800"}',
          '{"__proto__": {"polluted": true}}',
          '{"constructor": {"prototype": {"polluted": true}}}',
        ]),
      };
    case 10:
      return {
        body: new Uint8Array([
          0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d,
        ]),
      };
    default:
      return {
        body: JSON.stringify({
          ...template,
          name: 'x'.repeat(random.pick([60_000, 70_000])),
        }),
      };
  }
}

function buildRequest(
  random: SeededRandom,
  endpoint: Endpoint,
  ids: Ids,
  token: string,
): FuzzRequest {
  const headers: Record<string, string> = {};
  const authorization = random.chance(0.75)
    ? `Bearer ${token}`
    : randomBadAuthorization(random, TEST_JWT_SECRET);
  if (authorization !== undefined) {
    headers.authorization = authorization;
  }

  const pathId = (real: string) =>
    random.chance(0.5)
      ? real
      : random.pick([
          randomBadId(random),
          randomUuid(random),
          real.toUpperCase(),
        ]);
  let path = endpoint.path
    .replace('{webhookId}', pathId(ids.webhookId))
    .replace('{deliveryId}', pathId(ids.deliveryId));
  if (endpoint.query ? random.chance(0.7) : random.chance(0.15)) {
    path += `?${randomQuery(random)}`;
  }

  const { body } = buildBody(random, endpoint);
  if (body !== undefined) {
    headers['content-type'] = random.chance(0.8)
      ? 'application/json'
      : random.pick(CONTENT_TYPES);
    if (random.chance(0.05)) {
      headers['content-encoding'] = random.pick(['gzip', 'br', 'x-unknown']);
    }
  }

  let safeBody = body;
  if (
    endpoint.outbound &&
    typeof body === 'string' &&
    reachesDeliveryWorker(body)
  ) {
    safeBody = JSON.stringify({ ...JSON.parse(body), url: REJECTED_URL });
  }

  return { method: endpoint.method, path, headers, body: safeBody };
}

/** Describes what is wrong with a response, or returns null when it is fine. */
function checkResponse(status: number, text: string): string | null {
  if (status >= 500) {
    return `status ${status}`;
  }
  if (status === 204) {
    return text === '' ? null : 'a 204 response has a body';
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  if (status < 400) {
    return null;
  }
  const { statusCode, message } = (body ?? {}) as {
    statusCode?: unknown;
    message?: unknown;
  };
  if (statusCode !== status) {
    return `statusCode ${String(statusCode)} differs from status ${status}`;
  }
  if (typeof message !== 'string' || message.trim() === '') {
    return 'message is missing or empty';
  }

  return null;
}

function describeRequest(request: FuzzRequest, validToken: string): string {
  const body =
    typeof request.body === 'string'
      ? JSON.stringify(request.body.slice(0, 160))
      : request.body === undefined
        ? 'none'
        : `bytes ${Buffer.from(request.body).toString('hex')}`;
  const { authorization, ...headers } = request.headers;
  const auth =
    authorization === `Bearer ${validToken}`
      ? 'valid token'
      : JSON.stringify(authorization?.slice(0, 80));

  return `${request.method} ${request.path.slice(0, 200)} auth=${auth} headers=${JSON.stringify(headers)} body=${body}`;
}

/**
 * Sends `request` as written, through node:http rather than fetch, so that
 * GET requests can carry a body and paths are not normalized.
 */
function sendRaw(
  baseUrl: string,
  agent: Agent,
  request: FuzzRequest,
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(baseUrl);
  const body =
    request.body === undefined ? undefined : Buffer.from(request.body);
  const headers = body
    ? { ...request.headers, 'content-length': String(body.length) }
    : request.headers;

  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        hostname,
        port,
        method: request.method,
        path: request.path,
        headers,
        agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.setTimeout(10_000, () =>
      outgoing.destroy(
        new Error(
          `no response within 10 s to ${request.method} ${request.path.slice(0, 200)}`,
        ),
      ),
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('config API fuzzing', () => {
  const harness = new ConfigTestApp();
  const run = `fuzz-${Date.now().toString(36)}`;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  beforeAll(async () => {
    await harness.start({ EGRESS_ALLOW_LOOPBACK: 'false' });
  });

  afterAll(async () => {
    agent.destroy();
    await harness.stop();
  });

  /**
   * Creates a disabled webhook with one delivery record in a new
   * organization. The platform never announces the organization, so it is
   * on the Free plan: its webhooks cannot be enabled, and no fuzz input can
   * queue a delivery.
   */
  async function createTarget(organization: string): Promise<Ids> {
    const created = await harness.request('POST', '/v1/webhooks', {
      organization,
      body: validWebhook({
        url: 'https://fuzz.example.com/hook',
        enabled: false,
      }),
    });
    if (created.status !== 201) {
      throw new Error(
        `creating the fuzz webhook failed with ${created.status}: ${JSON.stringify(created.body)}`,
      );
    }
    const webhookId = created.body.id as string;
    const record = deliveryRecord(organization, webhookId);
    await harness.app.get(DeliveriesService).store(record);

    return { organization, webhookId, deliveryId: record.attempt_id };
  }

  /** Sends `request` and returns its status with any problem found. */
  async function send(
    request: FuzzRequest,
    validToken: string,
  ): Promise<{ status: number; problem: string | null }> {
    const { status, text } = await sendRaw(harness.baseUrl, agent, request);
    const problem = checkResponse(status, text);

    return {
      status,
      problem: problem
        ? `${problem}: ${describeRequest(request, validToken)} -> ${status} ${text.slice(0, 200)}`
        : null,
    };
  }

  /** Sends `requests`, CONCURRENCY at a time, and collects the outcomes. */
  async function sendAll(requests: FuzzRequest[], validToken: string) {
    const problems: string[] = [];
    const statuses = new Set<number>();
    for (let start = 0; start < requests.length; start += CONCURRENCY) {
      const batch = requests.slice(start, start + CONCURRENCY);
      const results = await Promise.all(
        batch.map((request) => send(request, validToken)),
      );
      for (const { status, problem } of results) {
        statuses.add(status);
        if (problem) {
          problems.push(problem);
        }
      }
    }

    return { problems, statuses: [...statuses] };
  }

  it.each(ENDPOINTS.map((endpoint, index) => [endpoint.name, index]))(
    '%s rejects bad input without 5xx',
    async (_, index) => {
      const endpoint = ENDPOINTS[index as number];
      const ids = await createTarget(`${run}-${index}`);
      const token = harness.token(ids.organization, { expiresIn: '10m' });
      const random = new SeededRandom(0x5eed + (index as number));
      const requests = Array.from({ length: REQUESTS_PER_ENDPOINT }, () =>
        buildRequest(random, endpoint, ids, token),
      );
      const { problems, statuses } = await sendAll(requests, token);

      expect(problems).toEqual([]);
      // Inputs reach both the guard and the validation behind it.
      expect(statuses).toEqual(expect.arrayContaining([400, 401]));
    },
    30_000,
  );

  it.each(
    ENDPOINTS.flatMap((endpoint, index) =>
      endpoint.body ? [[endpoint.name, index]] : [],
    ),
  )(
    '%s rejects hard field values',
    async (_, index) => {
      const endpoint = ENDPOINTS[index as number];
      const ids = await createTarget(`${run}-hard-${index}`);
      const token = harness.token(ids.organization, { expiresIn: '10m' });
      const template = endpoint.body ?? {};
      const path = endpoint.path.replace('{webhookId}', ids.webhookId);
      const requests: FuzzRequest[] = [];
      for (const field of Object.keys(template)) {
        for (const value of HARD_FIELD_VALUES) {
          const text = JSON.stringify({ ...template, [field]: value });
          requests.push({
            method: endpoint.method,
            path,
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
            },
            body:
              endpoint.outbound && reachesDeliveryWorker(text)
                ? JSON.stringify({ ...template, url: REJECTED_URL })
                : text,
          });
        }
      }
      const { problems, statuses } = await sendAll(requests, token);

      expect(problems).toEqual([]);
      expect(statuses).toContain(400);
    },
    30_000,
  );

  it('rejects every bad path id', async () => {
    const ids = await createTarget(`${run}-ids`);
    const token = harness.token(ids.organization, { expiresIn: '10m' });
    const requests: FuzzRequest[] = [];
    for (const endpoint of ENDPOINTS.filter((item) =>
      item.path.includes('{'),
    )) {
      for (const badId of BAD_IDS) {
        const paths = [
          endpoint.path
            .replace('{webhookId}', badId)
            .replace('{deliveryId}', ids.deliveryId),
          endpoint.path
            .replace('{webhookId}', ids.webhookId)
            .replace('{deliveryId}', badId),
        ];
        for (const path of new Set(paths)) {
          requests.push({
            method: endpoint.method,
            path,
            headers: { authorization: `Bearer ${token}` },
          });
        }
      }
    }
    const { problems, statuses } = await sendAll(requests, token);

    expect(problems).toEqual([]);
    expect(statuses).toContain(400);
  }, 30_000);

  it('rejects every bad list query', async () => {
    const ids = await createTarget(`${run}-queries`);
    const token = harness.token(ids.organization, { expiresIn: '10m' });
    const requests: FuzzRequest[] = [];
    for (const endpoint of ENDPOINTS.filter((item) => item.query)) {
      for (const query of QUERY_STRINGS) {
        requests.push({
          method: endpoint.method,
          path: `${endpoint.path.replace('{webhookId}', ids.webhookId)}?${query}`,
          headers: { authorization: `Bearer ${token}` },
        });
      }
    }
    const { problems, statuses } = await sendAll(requests, token);

    expect(problems).toEqual([]);
    expect(statuses).toContain(400);
  }, 30_000);

  it('answers unknown routes with JSON errors', async () => {
    const problems: string[] = [];
    const requests: FuzzRequest[] = [
      { method: 'PUT', path: '/v1/webhooks', headers: {} },
      { method: 'GET', path: '/v1/webhooks/a/b/c/d', headers: {} },
      { method: 'GET', path: '/v2/webhooks', headers: {} },
      { method: 'GET', path: '/%FF', headers: {} },
      { method: 'POST', path: '/v1/plan', headers: {} },
      { method: 'GET', path: `/${'x'.repeat(4_000)}`, headers: {} },
    ];
    for (const request of requests) {
      const { problem } = await send(request, '');
      if (problem) {
        problems.push(problem);
      }
    }

    expect(problems).toEqual([]);
  });

  it('leaves Object.prototype unpolluted', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves every fuzz webhook disabled', async () => {
    const rows: { id: string }[] = await harness.dataSource.query(
      "SELECT id FROM webhook WHERE organization_id LIKE $1 || '-%' AND enabled",
      [run],
    );

    expect(rows).toEqual([]);
  });

  it('string generator covers hard cases', () => {
    const random = new SeededRandom(1);
    const samples = Array.from({ length: 500 }, () => randomString(random));

    expect(samples.some((sample) => sample.includes('\u0000'))).toBe(true);
    expect(samples.some((sample) => !sample.isWellFormed())).toBe(true);
    expect(samples.some((sample) => sample.length > 2_048)).toBe(true);
  });
});
