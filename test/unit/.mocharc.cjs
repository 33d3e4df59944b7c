/** Mocha for the unit suite alone (`npm run test:unit`): the shared options of .mocharc.json, this folder's tests only. */
module.exports = { ...require('../../.mocharc.json'), spec: ['out/test/unit/**/*.test.js'] };
