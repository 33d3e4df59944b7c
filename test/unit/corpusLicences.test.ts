import assert from 'node:assert/strict';
import { dep5GlobMatches, licenceForPath, parseDebianCopyright } from '../../src/train/corpus/debianCopyright.js';
import { judgeLicenceExpression, normalizeLicenceName } from '../../src/train/corpus/licencePolicy.js';
import { licenceOfPackageJson } from '../../src/train/corpus/npmPackages.js';

describe('corpus licence policy', function () {
	it('normalises the spellings found in package.json and Debian copyright files', function () {
		assert.equal(normalizeLicenceName('Expat'), 'MIT');
		assert.equal(normalizeLicenceName('BSD 3-clause'), 'BSD-3-Clause');
		assert.equal(normalizeLicenceName('apache-2.0'), 'Apache-2.0');
		assert.equal(normalizeLicenceName('Go'), 'BSD-3-Clause');
		assert.equal(normalizeLicenceName('GPL-2+'), 'GPL-2.0-or-later');
	});

	it('allows permissive licences and an OR with one permissive side; refuses copyleft, AND with copyleft, MPL and unknown', function () {
		for (const allowed of [
			'MIT',
			'ISC',
			'Apache-2.0',
			'BSD-2-Clause',
			'(MIT OR Apache-2.0)',
			'MIT or Apache-2.0',
			'MIT OR GPL-3.0-or-later',
			'0BSD',
			'PSF-2.0',
			'CC0-1.0',
		]) {
			assert.equal(judgeLicenceExpression(allowed).allowed, true, allowed);
		}
		for (const refused of [
			'GPL-3.0',
			'LGPL-2.1-or-later',
			'AGPL-3.0',
			'MPL-2.0',
			'MIT AND GPL-2.0',
			'unknown',
			'',
			'SEE LICENSE IN LICENSE.txt',
			'GPL-2.0 WITH Classpath-exception-2.0',
		]) {
			assert.equal(judgeLicenceExpression(refused).allowed, false, refused);
		}
		assert.equal(judgeLicenceExpression(undefined).licence, 'unknown');
		assert.equal(judgeLicenceExpression('(MIT AND Zlib) OR GPL-2.0').allowed, true);
	});

	it('reads the licence from package.json in its current and old forms', function () {
		assert.equal(licenceOfPackageJson({ license: 'MIT' }), 'MIT');
		assert.equal(licenceOfPackageJson({ license: { type: 'ISC' } }), 'ISC');
		assert.equal(licenceOfPackageJson({ licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }] }), '(MIT OR Apache-2.0)');
		assert.equal(licenceOfPackageJson({}), 'unknown');
	});
});

describe('Debian copyright files', function () {
	const dep5 = [
		'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
		'Upstream-Name: example',
		'',
		'Files: *',
		'Copyright: 2020 Someone',
		'License: Go',
		'',
		'Files: src/vendor/*',
		'       src/third_party/lib?.c',
		'License: GPL-2+',
		'',
		'# a comment line',
		'Files: debian/*',
		'License: Apache',
		'',
		'License: Apache',
		' Licensed under the Apache License, Version 2.0 (the "License");',
	].join('\n');

	it('takes the last matching Files paragraph, with DEP-5 globs', function () {
		const copyright = parseDebianCopyright(dep5);
		assert.equal(copyright.machineReadable, true);
		assert.equal(licenceForPath(copyright, 'src/net/http/server.go'), 'Go');
		assert.equal(licenceForPath(copyright, 'src/vendor/x/y.go'), 'GPL-2+');
		assert.equal(licenceForPath(copyright, 'src/third_party/lib1.c'), 'GPL-2+');
		assert.equal(licenceForPath(copyright, 'src/third_party/lib12.c'), 'Go');
		assert.ok(dep5GlobMatches('*', 'a/b/c'));
		assert.ok(!dep5GlobMatches('src/*.go', 'lib/a.go'));
	});

	it('resolves a short name that DEP-5 does not define from its stand-alone licence text', function () {
		assert.equal(licenceForPath(parseDebianCopyright(dep5), 'debian/rules'), 'Apache-2.0');
	});

	it('recognises the licence of free-form copyright files by title, copyleft first', function () {
		const python = parseDebianCopyright(
			'This package was put together by ...\n\nPython License\n==============\n\nPSF LICENSE AGREEMENT FOR PYTHON\n',
		);
		assert.equal(python.machineReadable, false);
		assert.equal(licenceForPath(python, 'os.py'), 'PSF-2.0');
		const gpl = parseDebianCopyright(
			'Copyright 2001\n\nThis program is free software; under the GNU General Public License ...\nPermission is hereby granted, free of charge, to any person obtaining a copy',
		);
		assert.equal(licenceForPath(gpl, 'x.py'), 'GPL');
		assert.equal(licenceForPath(parseDebianCopyright('No licence named here.'), 'x.py'), undefined);
	});
});
