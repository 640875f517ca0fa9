export * from './bootstrap';
export * from './broker.health';
export * from './health-check.filter';
export * from './load-config';
export * from './logger';
export * from './metrics';
export * from './shutdown';
