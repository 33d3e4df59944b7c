/** Mocha for the server suite alone (`npm run test:server`): the shared options of .mocharc.json, this folder's tests only. */
module.exports = { ...require('../../.mocharc.json'), spec: ['out/test/server/**/*.test.js'] };
