/** Mocha for the teamServer suite alone (`npm run test:teamServer`): the shared options of .mocharc.json, this folder's tests only. */
module.exports = { ...require('../../.mocharc.json'), spec: ['out/test/teamServer/**/*.test.js'] };
