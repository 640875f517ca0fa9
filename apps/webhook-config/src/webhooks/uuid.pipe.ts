import { BadRequestException, ParseUUIDPipe } from '@nestjs/common';

/** Rejects a path id that is not a UUID with a 400 naming the parameter. */
export function uuidPipe(name: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () =>
      new BadRequestException(
        `${name} must be a UUID such as 3f0e4a8e-9d5e-4f1c-8f0a-4b110b7c5a9e`,
      ),
  });
}
