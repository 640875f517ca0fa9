import {
  BadRequestException,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';

function flatten(
  errors: ValidationError[],
  parent = '',
): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message,
    }));

    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Validates request bodies and queries against their DTOs: unknown fields
 * are rejected, and the 400 lists one message per invalid field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);

      return new BadRequestException({
        message: fields
          .map((item) => `${item.field}: ${item.message}`)
          .join('; '),
        errors: fields,
      });
    },
  });
}
