// Stops early with a clear message when npm scripts run on a Node.js other
// than the 24 LTS that `npm ci` installs into node_modules/.bin.
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  console.error(
    `Node.js ${process.versions.node} is running, but Quor webhooks needs Node.js 24. ` +
      'Run the project through npm scripts (npm start, npm test) after `npm ci`, ' +
      'which put the Node.js 24 from the `node` dev dependency first on PATH.',
  );
  process.exit(1);
}
