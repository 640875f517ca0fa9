import { EVENT_TYPES } from '@quor/contracts';

export const NAME_MAX_LENGTH = 100;
export const URL_MAX_LENGTH = 2048;

export const NAME_MESSAGE = `name must be 1 to ${NAME_MAX_LENGTH} characters after trimming`;
export const EVENT_TYPES_MESSAGE = `event_types must be a non-empty list of distinct values from: ${EVENT_TYPES.join(', ')}`;
export const URL_MESSAGE = `url must be an https:// URL of at most ${URL_MAX_LENGTH} characters`;

export const trim = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value;
