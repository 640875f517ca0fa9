/** A resource that does not exist or belongs to another organization. */
export class ResourceNotFoundError extends Error {
  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(`${resource} ${id} not found`);
  }
}

/** A request that the organization's plan does not allow. */
export class PlanLimitError extends Error {}

/** Input that is well-formed but not acceptable, tied to one field. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** A dependency that did not reply in time, so the client may try again. */
export class DependencyUnavailableError extends Error {}

/** A request over a rate limit; the client may try again after a pause. */
export class RateLimitError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
