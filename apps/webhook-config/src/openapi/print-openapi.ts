import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { AppModule } from '../app.module';
import { ConfigServiceConfig } from '../config/config-service.config';
import {
  createOpenApiDocument,
  serializeOpenApiDocument,
} from './openapi-document';

/**
 * Prints the OpenAPI document as GET /v1/openapi.json serves it; `npm run
 * openapi` writes it to docs/openapi.json. The document needs only route
 * metadata, so the controllers of AppModule run in a testing module whose
 * dependencies are empty stubs, and no database or broker is contacted.
 * It imports @nestjs/testing, a development dependency.
 */
async function printOpenApi(): Promise<void> {
  const { controllers = [] } = AppModule.register(new ConfigServiceConfig());
  const moduleRef = await Test.createTestingModule({ controllers })
    .useMocker(() => ({}))
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  process.stdout.write(serializeOpenApiDocument(createOpenApiDocument(app)));
  await app.close();
}

printOpenApi().catch((error: unknown) => {
  console.error(
    `building the OpenAPI document failed: ${(error as Error).stack ?? String(error)}`,
  );
  process.exit(1);
});
