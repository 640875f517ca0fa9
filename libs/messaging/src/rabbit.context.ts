import { BaseRpcContext } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';

/** Handler context: the raw message and the queue it came from. */
export class RabbitContext extends BaseRpcContext<[ConsumeMessage, string]> {
  get message(): ConsumeMessage {
    return this.args[0];
  }

  get queue(): string {
    return this.args[1];
  }

  get routingKey(): string {
    return this.args[0].fields.routingKey;
  }
}
