/** Mocha for the engine suite alone (`npm run test:engine`): the shared options of .mocharc.json, this folder's tests only. */
module.exports = { ...require('../../.mocharc.json'), spec: ['out/test/engine/**/*.test.js'] };
