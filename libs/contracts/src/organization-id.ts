/**
 * Organization ids come from the platform; they are opaque strings of
 * letters, digits, `_` and `-`, so they are safe in URLs, logs and keys.
 */
export const ORGANIZATION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
