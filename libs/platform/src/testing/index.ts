// Test helpers of the service runtime. Tests and benchmarks import them as
// `@quor/platform/testing`; production code never does.
export * from './isolated-environment';
