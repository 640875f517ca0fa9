import { EVENT_TYPES } from '@quor/contracts';
import { ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';

export const NAME_MAX_LENGTH = 100;
export const URL_MAX_LENGTH = 2048;

export const NAME_MESSAGE = `name must be 1 to ${NAME_MAX_LENGTH} characters after trimming, without control characters`;
export const EVENT_TYPES_MESSAGE = `event_types must be a non-empty list of distinct values from: ${EVENT_TYPES.join(', ')}`;
export const URL_MESSAGE = `url must be an https:// URL of at most ${URL_MAX_LENGTH} characters`;

export const trim = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value;

/**
 * True for a string of well-formed UTF-16 without C0 control characters or
 * DEL. PostgreSQL cannot store NUL in text, and a lone surrogate would be
 * stored as U+FFFD, so such input is rejected instead of altered.
 */
export function isPlainText(value: unknown): boolean {
  if (typeof value !== 'string' || !value.isWellFormed()) {
    return false;
  }
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) {
      return false;
    }
  }

  return true;
}

export function IsPlainText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPlainText',
      validator: {
        validate: (value) => isPlainText(value),
        defaultMessage: () =>
          '$property must be text without control characters or unpaired surrogates',
      },
    },
    options,
  );
}

/**
 * Validates an optional property only when the body contains it. Unlike
 * IsOptional it also validates null, which no webhook field accepts.
 */
export function ValidateIfPresent(): PropertyDecorator {
  return ValidateIf((_, value: unknown) => value !== undefined);
}
