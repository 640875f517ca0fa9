// Loads TypeScript sources directly: checks the Node.js version, then
// registers SWC, which honours the decorator metadata and path aliases of
// tsconfig.json.
require('./check-node.cjs');
require('@swc-node/register');
