// Test tiers: unit (pure logic, seconds), integration (simulator, real Temporal and Elasticsearch),
// faults (private server instances that get killed and restarted), security (a second Elasticsearch node
// with security on: scripts/elasticsearch.sh start --name secure --security). Select with --selectProjects.
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const common = {
  transform,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/setup/development-hosts.ts'],
};
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      // Every test lives under test/ (none beside the sources).
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/replay/**/*.test.ts'],
      slowTestThreshold: 60,
    },
    {
      ...common,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
      slowTestThreshold: 120,
    },
    {
      ...common,
      displayName: 'security',
      testMatch: ['<rootDir>/test/security/**/*.test.ts'],
      slowTestThreshold: 120,
    },
  ],
};
