// One project per package/app, and e2e/ (the API and worker processes together); each test file gets its own
// database and Redis DB or key prefix (see packages/*/src/testing.ts).
export default ['packages/*', 'apps/*', 'e2e']
