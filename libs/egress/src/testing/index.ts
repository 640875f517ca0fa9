// Test helpers of the egress library: a throwaway PKI, loopback servers, a
// fixed resolver and a socket watch. Tests and benchmarks import them as
// `@quor/egress/testing`; production code never does.
export * from './fixed-resolver';
export * from './receiver-fixture';
export * from './socket-watch';
export * from './test-pki';
export * from './test-server';
