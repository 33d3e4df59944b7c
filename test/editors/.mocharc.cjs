/** Mocha for the editors suite alone (`npm run test:editors`): the shared options of .mocharc.json, this folder's tests only. */
module.exports = { ...require('../../.mocharc.json'), spec: ['out/test/editors/**/*.test.js'] };
