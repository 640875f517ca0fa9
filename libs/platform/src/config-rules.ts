import { Transform } from 'class-transformer';
import { IsIn, IsInt, Matches, Max, Min } from 'class-validator';

/**
 * Validation rules for environment variables, shared by the services'
 * configuration classes so that each kind of value is read and described
 * the same way everywhere.
 */
function compose(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => {
    for (const decorator of decorators) {
      decorator(target, key);
    }
  };
}

/**
 * Converts a string of decimal digits to a number. Anything else, such as
 * `1e3`, `0x10` or ` 64`, which Number() would also accept, stays a string
 * and fails the number check with the variable's message.
 */
const toNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

const toBoolean = ({ value }: { value: unknown }) => {
  if (value === 'true' || value === true) {
    return true;
  }
  if (value === 'false' || value === false) {
    return false;
  }

  return value;
};

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export function IsDatabaseUrl(): PropertyDecorator {
  return Matches(/^postgres(ql)?:\/\/.+/, {
    message:
      'must be a PostgreSQL URL such as postgres://postgres@127.0.0.1:5432/test',
  });
}

export function IsAmqpUrl(): PropertyDecorator {
  return Matches(/^amqps?:\/\/.+/, {
    message: 'must be an AMQP URL such as amqp://guest:guest@127.0.0.1:5672',
  });
}

export function IsLogLevel(): PropertyDecorator {
  return IsIn(LOG_LEVELS, {
    message: `must be one of ${LOG_LEVELS.join(', ')}`,
  });
}

/** `true` or `false`. */
export function IsFlag(): PropertyDecorator {
  return compose(
    Transform(toBoolean),
    IsIn([true, false], { message: 'must be true or false' }),
  );
}

/** Requires a whole number from `min` to `max`, optionally in `unit` (as in "of seconds"). */
export function IsWholeNumber(
  min: number,
  max: number,
  unit?: string,
): PropertyDecorator {
  const message = `must be a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}`;

  return compose(
    Transform(toNumber),
    IsInt({ message }),
    Min(min, { message }),
    Max(max, { message }),
  );
}

export function IsPort(): PropertyDecorator {
  const message = 'must be a TCP port number from 1 to 65535';

  return compose(
    Transform(toNumber),
    IsInt({ message }),
    Min(1, { message }),
    Max(65535, { message }),
  );
}
