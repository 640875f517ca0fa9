import { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  createOpenApiDocument,
  OPENAPI_JSON_PATH,
  serializeOpenApiDocument,
  SWAGGER_UI_PATH,
} from './openapi-document';

/**
 * Serves the OpenAPI document at GET /v1/openapi.json, byte for byte as
 * committed in docs/openapi.json, and Swagger UI at /docs. Neither requires
 * a token. Swagger UI loads its scripts and styles from this service, out
 * of the swagger-ui-dist package, so it works without internet access.
 */
export function setupOpenApi(app: INestApplication): void {
  const document = createOpenApiDocument(app);
  const serialized = serializeOpenApiDocument(document);
  app
    .getHttpAdapter()
    .get(OPENAPI_JSON_PATH, (_request: Request, response: Response) => {
      response.type('application/json').send(serialized);
    });
  SwaggerModule.setup(SWAGGER_UI_PATH, app, document, {
    raw: false,
    customSiteTitle: 'Quor webhook configuration API',
  });
}
