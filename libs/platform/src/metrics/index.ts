export * from './config-service.metrics';
export * from './delivery.metrics';
export * from './matcher.metrics';
export * from './messaging.metrics';
export * from './metrics.controller';
export * from './metrics.module';
