/** Mocha for the extension suite alone (`npm run test:extension`): the shared options of .mocharc.json, this folder's tests only. */
module.exports = { ...require('../../.mocharc.json'), spec: ['out/test/extension/**/*.test.js'] };
