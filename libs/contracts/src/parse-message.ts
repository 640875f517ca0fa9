import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { InvalidMessageError } from './invalid-message.error';

type MessageClass<T> = new () => T;

/**
 * Parses a message body as JSON and validates it against `type`. Unknown
 * fields are dropped, so producers can add fields without breaking
 * consumers.
 *
 * @throws InvalidMessageError naming the first invalid field.
 */
export function parseMessage<T extends object>(
  type: MessageClass<T>,
  body: Buffer | string,
): T {
  return validateMessage(type, parseJsonBody(body));
}

/**
 * Decodes a message body as UTF-8 JSON without validating it.
 *
 * @throws InvalidMessageError when the body is not valid JSON.
 */
export function parseJsonBody(body: Buffer | string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new InvalidMessageError(
      `body is not valid JSON (${(error as Error).message}); publish a UTF-8 JSON object`,
    );
  }
}

/** Validates an already decoded value against `type`. */
export function validateMessage<T extends object>(
  type: MessageClass<T>,
  plain: unknown,
): T {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new InvalidMessageError(
      'body is not a JSON object; publish an object with the documented fields',
    );
  }

  const instance = plainToInstance(type, plain, {
    excludeExtraneousValues: false,
  });
  const errors = validateSync(instance, {
    whitelist: true,
    forbidUnknownValues: true,
  });
  if (errors.length > 0) {
    throw new InvalidMessageError(describeValidationErrors(errors));
  }

  return instance;
}

/** Formats class-validator errors as `field: problem` pairs with full paths. */
export function describeValidationErrors(
  errors: ValidationError[],
  parentPath = '',
): string {
  const parts: string[] = [];
  for (const error of errors) {
    const path = parentPath
      ? `${parentPath}.${error.property}`
      : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      parts.push(`${path}: ${message}`);
    }
    if (error.children && error.children.length > 0) {
      parts.push(describeValidationErrors(error.children, path));
    }
  }

  return parts.join('; ');
}
