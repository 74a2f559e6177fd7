import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SingleFileFromTar, entrySize } from '../../../src/cluster/docker/tar-file.js';

/** A ustar header block: name, octal size, type flag (checksums are not read, so not written). */
function header(name: string, size: number, type = '0'): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 'latin1');
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  block.write(type, 156, 'latin1');
  block.write('ustar\0', 257, 'latin1');
  return block;
}

/** An entry: header, data, padding to a block. */
function entry(name: string, data: Buffer, type = '0'): Buffer {
  return Buffer.concat([header(name, data.length, type), data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

const END = Buffer.alloc(1024);

/** Feeds `archive` in chunks cut at `cuts`, returns what came out (or the error). */
async function extract(archive: Buffer, cuts: number[] = []): Promise<Buffer> {
  const points = [...new Set(cuts.map((c) => c % (archive.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of [...points, archive.length]) {
    if (p > from) chunks.push(archive.subarray(from, p));
    from = Math.max(from, p);
  }
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    new SingleFileFromTar('n1:/var/log/x.log'),
    new Writable({
      write(chunk: Buffer, _e, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(out);
}

describe('one file out of a tar archive (the engine\'s copy endpoint)', () => {
  it('passes exactly the file\'s bytes, however the archive is cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), async (bytes, cuts, pax) => {
        const data = Buffer.from(bytes);
        const paxRecord = Buffer.from('30 path=var/log/a-long-name.log\n');
        const archive = Buffer.concat([...(pax ? [entry('PaxHeaders/x.log', paxRecord, 'x')] : []), entry('x.log', data), END]);
        assert.deepEqual(await extract(archive, cuts), data);
      }),
      { numRuns: 200 },
    );
  });

  it('an archive that ends early, holds nothing, or holds no regular file is an error naming the file', async () => {
    const data = Buffer.alloc(2000, 7);
    await assert.rejects(extract(entry('x.log', data).subarray(0, 1200)), /n1:\/var\/log\/x\.log: the archive ended \d+ bytes before the end of the file/);
    await assert.rejects(extract(Buffer.alloc(0)), /the archive ended without the file/);
    await assert.rejects(extract(END), /the archive holds no file/);
    await assert.rejects(extract(Buffer.concat([entry('x.log', Buffer.alloc(0), '5'), END])), /is not a regular file \(tar type "5"\)/);
    await assert.rejects(extract(Buffer.concat([entry('x.log', Buffer.alloc(0), '2'), END])), /is not a regular file/);
  });

  it('an empty file is an empty copy', async () => {
    assert.equal((await extract(Buffer.concat([entry('x.log', Buffer.alloc(0)), END]))).length, 0);
  });

  it('reads sizes in octal and in base-256 (8 GiB and more)', () => {
    assert.equal(entrySize(Buffer.from('00000001750\0', 'latin1')), 1000);
    assert.equal(entrySize(Buffer.from('1750 \0\0\0\0\0\0\0', 'latin1')), 1000);
    const big = Buffer.alloc(12);
    big[0] = 0x80;
    big.writeUIntBE(10 * 2 ** 30, 6, 6);
    assert.equal(entrySize(big), 10 * 2 ** 30);
    assert.throws(() => entrySize(Buffer.from('12x4\0', 'latin1')), /bad tar size field/);
  });
});
