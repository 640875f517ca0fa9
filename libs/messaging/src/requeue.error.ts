/**
 * Error a message handler throws to return its message to the queue at
 * once, for a reason that is no fault of the message, such as a shutdown
 * that stopped the work. RabbitTransport logs it once at warn level and
 * requeues the message without the pause it adds after a failure.
 */
export class RequeueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequeueError';
  }
}
