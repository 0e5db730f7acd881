/** One Jest project per app and library; the e2e suite runs under node --test (see e2e/README.md). */
const moduleNameMapper = {
  '^@app/contracts(|/.*)$': '<rootDir>/libs/contracts/src$1',
  '^@app/common(|/.*)$': '<rootDir>/libs/common/src$1',
};
const project = (name, root) => ({
  displayName: name,
  rootDir: __dirname,
  roots: [`<rootDir>/${root}`],
  testEnvironment: 'node',
  testRegex: '.*\\.spec\\.ts$',
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', isolatedModules: true }] },
  moduleNameMapper,
});

module.exports = {
  projects: [
    project('auth', 'apps/auth'),
    project('resource', 'apps/resource'),
    project('webapp', 'apps/webapp'),
    project('contracts', 'libs/contracts'),
    project('common', 'libs/common'),
  ],
};
