// One project per package/app; each test file gets its own database and Redis DB (see packages/*/src/testing.ts).
export default ['packages/*', 'apps/*']
