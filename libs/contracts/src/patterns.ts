/** Registry host name with an optional port, as in `registry.quor.dev:5000`. */
export const REGISTRY_PATTERN =
  /^(?=.{1,253}(?::\d{1,5})?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$/;

/** Repository path as the OCI distribution specification defines it. */
export const IMAGE_PATTERN =
  /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;

/** Tag as the OCI distribution specification defines it. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Content digest: SHA-256 or SHA-512 in lowercase hexadecimal. */
export const DIGEST_PATTERN = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export const IMAGE_MAX_LENGTH = 255;
