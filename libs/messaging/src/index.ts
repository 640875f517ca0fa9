export * from './connect-rabbit-transport';
export * from './rabbit-consumer.decorator';
export * from './rabbit-rpc.client';
export * from './rabbit.context';
export * from './rabbit.publisher';
export * from './rabbit.transport';
export * from './rethrow-rpc-exception.filter';
export * from './topology';
