// Two projects: `unit` for pure logic, `integration` for tests on the real
// PostgreSQL and RabbitMQ named by DATABASE_URL and AMQP_URL. Integration
// suites share the broker's fixed exchange and queue names, so `npm test`
// runs every suite in band.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

const moduleNameMapper = {
  '^@quor/egress/testing$': '<rootDir>/libs/egress/src/testing/index.ts',
  '^@quor/platform/testing$': '<rootDir>/libs/platform/src/testing/index.ts',
  '^@quor/(contracts|messaging|egress|platform)$':
    '<rootDir>/libs/$1/src/index.ts',
};

// got and its helpers ship ECMAScript modules only; Jest's module loader
// needs them transformed to CommonJS.
const esmPackages = [
  'got',
  '@sindresorhus',
  '@szmarczak',
  'byte-counter',
  'cacheable-lookup',
  'cacheable-request',
  'chunk-data',
  'decompress-response',
  'form-data-encoder',
  'get-stream',
  'is-stream',
  '@sec-ant',
  'http2-wrapper',
  'keyv',
  '@keyv',
  'lowercase-keys',
  'mimic-response',
  'normalize-url',
  'p-cancelable',
  'responselike',
  'type-fest',
  'uint8array-extras',
];

const common = {
  rootDir: __dirname,
  transform: { '^.+\\.(t|j|mj)sx?$': swc },
  transformIgnorePatterns: [
    `/node_modules/(?!(${esmPackages.join('|')})/)`,
  ],
  moduleNameMapper,
  testEnvironment: 'node',
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,tools,test}/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      testTimeout: 60_000,
    },
  ],
};
