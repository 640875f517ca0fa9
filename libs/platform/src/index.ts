export * from './bootstrap';
export * from './broker.health';
export * from './load-config';
export * from './logger';
