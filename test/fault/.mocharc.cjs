/** Mocha for the fault suite alone (`npm run test:fault`): the shared options of .mocharc.json, this folder's tests only. */
module.exports = { ...require('../../.mocharc.json'), spec: ['out/test/fault/**/*.test.js'] };
