/**
 * A message that can never be processed, whatever the state of the system:
 * consumers dead-letter it with `reason` instead of retrying it.
 */
export class InvalidMessageError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidMessageError';
  }
}
