import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** Name of the security scheme that every versioned operation requires. */
export const BEARER_AUTH = 'bearer';

/** Path of the OpenAPI document, served without authentication. */
export const OPENAPI_JSON_PATH = '/v1/openapi.json';

/** Path of Swagger UI, served from the swagger-ui-dist package. */
export const SWAGGER_UI_PATH = 'docs';

const DESCRIPTION = [
  'Configures the webhooks of an organization: signed HTTPS requests that Quor sends when a subscribed container image is rebuilt.',
  '',
  'Every operation requires `Authorization: Bearer <JWT>`, an HS256 token issued by the UI gateway. ' +
    'The organization comes from the `organization_id` claim of the token, never from the request.',
  '',
  'Request bodies are JSON objects of at most 64 KB. Every error response has the `Error` body.',
].join('\n');

/**
 * Builds the OpenAPI document of the versioned API (`/v1/...`) from the
 * route and `@Api*` metadata of `app`. The health endpoints are left out,
 * because they serve the orchestrator and not API clients. Keys are sorted,
 * so the serialized document depends only on the metadata.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Quor webhook configuration API')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'HS256 JWT from the UI gateway; its organization_id claim selects the organization.',
      },
      BEARER_AUTH,
    )
    .addTag('webhooks', 'Webhooks, their signing secrets and test pings.')
    .addTag(
      'deliveries',
      'Attempts to deliver events to a webhook, and redeliveries.',
    )
    .addTag(
      'organization',
      'The plan and the image subscriptions of the organization.',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.paths = Object.fromEntries(
    Object.entries(document.paths).filter(([path]) => path.startsWith('/v1/')),
  );
  dropUnreferencedSchemas(document);

  return sortKeys(document) as OpenAPIObject;
}

/**
 * Removes component schemas that no kept path references directly or
 * through other schemas, such as those of the left-out health endpoints.
 */
function dropUnreferencedSchemas(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const prefix = '#/components/schemas/';
  const used = new Set<string>();
  const pending: unknown[] = [document.paths];
  while (pending.length > 0) {
    const value = pending.pop();
    if (value === null || typeof value !== 'object') {
      continue;
    }
    const ref = (value as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith(prefix)) {
      const name = ref.slice(prefix.length);
      if (!used.has(name)) {
        used.add(name);
        pending.push(schemas[name]);
      }
    }
    pending.push(...Object.values(value));
  }
  for (const name of Object.keys(schemas)) {
    if (!used.has(name)) {
      delete schemas[name];
    }
  }
}

/** Serializes a document as committed in docs/openapi.json. */
export function serializeOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}

/** Copies `value` with the keys of every object in ascending order. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const entries = Object.entries(value)
    .filter(([, item]) => item !== undefined)
    .sort(([left], [right]) => compareCodeUnits(left, right));

  return Object.fromEntries(
    entries.map(([key, item]) => [key, sortKeys(item)]),
  );
}

/** Orders strings by UTF-16 code units, the same on every machine and locale. */
function compareCodeUnits(left: string, right: string): number {
  if (left === right) {
    return 0;
  }

  return left < right ? -1 : 1;
}
