import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigTestApp } from './config-test-app';

const DOCUMENT_FILE = join(__dirname, '..', '..', '..', 'docs', 'openapi.json');
const REGENERATE = 'run `npm run openapi` and commit docs/openapi.json';

interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: { name: string; in: string; schema?: { format?: string } }[];
  responses: Record<string, unknown>;
  security?: Record<string, string[]>[];
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
}

/** Routes as "METHOD /path/{param}", the form of the document's paths. */
function servedRoutes(harness: ConfigTestApp): string[] {
  const express = harness.app.getHttpAdapter().getInstance() as {
    router: {
      stack: {
        route?: { path: string; methods: Record<string, boolean> };
      }[];
    };
  };
  const routes: string[] = [];
  for (const layer of express.router.stack) {
    if (!layer.route || !layer.route.path.startsWith('/v1/')) {
      continue;
    }
    const path = layer.route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    for (const method of Object.keys(layer.route.methods)) {
      routes.push(`${method.toUpperCase()} ${path}`);
    }
  }

  return routes.sort();
}

function documentedOperations(document: Document) {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      route: `${method.toUpperCase()} ${path}`,
      path,
      method: method.toUpperCase(),
      operation,
    })),
  );
}

describe('OpenAPI document', () => {
  const harness = new ConfigTestApp();
  let served: string;
  let document: Document;

  beforeAll(async () => {
    await harness.start();
    const response = await fetch(`${harness.baseUrl}/v1/openapi.json`);
    served = await response.text();
    document = JSON.parse(served) as Document;
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('is served without a token', async () => {
    const response = await fetch(`${harness.baseUrl}/v1/openapi.json`);
    await response.arrayBuffer();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('matches docs/openapi.json', () => {
    const committed = readFileSync(DOCUMENT_FILE, 'utf8');
    if (served !== committed) {
      const servedLines = served.split('\n');
      const committedLines = committed.split('\n');
      const line = servedLines.findIndex(
        (text, index) => text !== committedLines[index],
      );
      throw new Error(
        `docs/openapi.json differs from GET /v1/openapi.json at line ${line + 1}: ` +
          `the app serves ${JSON.stringify(servedLines[line])}, the file has ` +
          `${JSON.stringify(committedLines[line])}; ${REGENERATE}`,
      );
    }
  });

  it('documents every served route', () => {
    const documented = documentedOperations(document)
      .map((item) => item.route)
      .sort();
    const routes = servedRoutes(harness).filter(
      (route) => route !== 'GET /v1/openapi.json',
    );

    expect(routes.length).toBeGreaterThan(0);
    expect(documented).toEqual(routes);
  });

  it('gives every operation a 4xx response', () => {
    const without4xx = documentedOperations(document)
      .filter(
        ({ operation }) =>
          !Object.keys(operation.responses).some((status) =>
            /^4\d\d$/.test(status),
          ),
      )
      .map((item) => item.route);

    expect(without4xx).toEqual([]);
  });

  it('describes every operation', () => {
    for (const { route, operation } of documentedOperations(document)) {
      expect([route, operation.operationId]).toEqual([
        route,
        expect.stringMatching(/^[a-z][A-Za-z]+$/),
      ]);
      expect([route, operation.summary]).toEqual([route, expect.any(String)]);
      expect([route, operation.security]).toEqual([route, [{ bearer: [] }]]);
      expect([route, Object.keys(operation.responses)]).toEqual([
        route,
        expect.arrayContaining(['400', '401']),
      ]);
    }
  });

  it('types every path id as a UUID', () => {
    for (const { route, path, operation } of documentedOperations(document)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      const parameters = (operation.parameters ?? []).filter(
        (parameter) => parameter.in === 'path',
      );

      expect([
        route,
        parameters.map((parameter) => parameter.name).sort(),
      ]).toEqual([route, names.sort()]);
      for (const parameter of parameters) {
        expect([route, parameter.name, parameter.schema?.format]).toEqual([
          route,
          parameter.name,
          'uuid',
        ]);
      }
    }
  });

  it('answers documented 401 without a token', async () => {
    for (const { route, path, method, operation } of documentedOperations(
      document,
    )) {
      const url = path.replace(/\{[^}]+\}/g, () => randomUUID());
      const response = await fetch(`${harness.baseUrl}${url}`, { method });
      const body = (await response.json()) as { message?: string };

      expect([route, response.status]).toEqual([route, 401]);
      expect([route, Object.keys(operation.responses)]).toEqual([
        route,
        expect.arrayContaining(['401']),
      ]);
      expect([route, body.message]).toEqual([route, expect.any(String)]);
    }
  });

  it('serves Swagger UI from local files', async () => {
    const page = await fetch(`${harness.baseUrl}/docs`);
    const html = await page.text();
    const bundle = await fetch(`${harness.baseUrl}/docs/swagger-ui-bundle.js`);
    await bundle.arrayBuffer();

    expect(page.status).toBe(200);
    expect(html).toContain('swagger-ui-bundle.js');
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(bundle.status).toBe(200);
  });
});
