import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

const pkgDir = path.resolve(__dirname, '..', '..', '..', 'clients', 'js');

describe('@chatpop/client package', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));

  it('builds the files its package.json names', () => {
    expect(pkg.name).to.equal('@chatpop/client');
    for (const file of [pkg.main, pkg.module, pkg.types, pkg.exports['.'].import, pkg.exports['.'].require]) {
      expect(fs.existsSync(path.join(pkgDir, file)), file).to.equal(true);
    }
  });

  it('loads in Node from its CommonJS bundle', () => {
    const sdk = require(path.join(pkgDir, pkg.main));
    expect(sdk.connect).to.be.a('function');
    expect(sdk.ApiError).to.be.a('function');
  });

  it('keeps its browser bundle free of Node modules: socket.io-client is its one import', () => {
    const esm = fs.readFileSync(path.join(pkgDir, pkg.module), 'utf8');
    const imports = [...esm.matchAll(/^import .* from ["']([^"']+)["'];?$/gm)].map((m) => m[1]);
    expect(imports).to.deep.equal(['socket.io-client']);
  });
});
