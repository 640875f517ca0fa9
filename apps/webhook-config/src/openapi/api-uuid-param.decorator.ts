import { ApiParam } from '@nestjs/swagger';

/** Documents a path parameter that `uuidPipe` checks. */
export function ApiUuidParam(
  name: string,
  description: string,
): MethodDecorator & ClassDecorator {
  return ApiParam({
    name,
    description,
    schema: { type: 'string', format: 'uuid' },
    example: '3f0e4a8e-9d5e-4f1c-8f0a-4b110b7c5a9e',
  });
}
