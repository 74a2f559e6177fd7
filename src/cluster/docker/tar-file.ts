import { Transform, type TransformCallback } from 'node:stream';

const BLOCK = 512;
/** Extension headers that describe the next entry (PAX, GNU long names): skipped. */
const EXTENSION_TYPES = new Set(['x', 'g', 'L', 'K']);

type State = { readonly kind: 'header' } | { readonly kind: 'skip'; left: number } | { readonly kind: 'file'; left: number } | { readonly kind: 'done' };

/**
 * The engine hands a container's files out as a tar archive (what `docker cp` uses, and the
 * only way to read a *stopped* container's files, such as a node killed with `docker kill`).
 * Asked for one file, the archive holds that one regular file, perhaps after extension
 * headers. This passes its bytes through and drops the rest, so a large log is streamed to
 * disk instead of held in memory. It fails when the archive ends early or holds no regular
 * file (a directory, a symlink).
 */
export class SingleFileFromTar extends Transform {
  private state: State = { kind: 'header' };
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly what: string) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    try {
      this.consume();
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.state.kind === 'done') return done();
    done(new Error(`${this.what}: the archive ended ${this.state.kind === 'file' ? `${this.state.left} bytes before the end of the file` : 'without the file'}`));
  }

  private consume(): void {
    for (;;) {
      const s = this.state;
      if (s.kind === 'done') {
        this.pending = Buffer.alloc(0);
        return;
      }
      if (s.kind === 'header') {
        if (this.pending.length < BLOCK) return;
        this.header(this.pending.subarray(0, BLOCK));
        this.pending = this.pending.subarray(BLOCK);
        continue;
      }
      if (this.pending.length === 0) return;
      if (s.kind === 'skip') {
        const n = Math.min(s.left, this.pending.length);
        s.left -= n;
        this.pending = this.pending.subarray(n);
        if (s.left === 0) this.state = { kind: 'header' };
        continue;
      }
      const n = Math.min(s.left, this.pending.length);
      if (n > 0) this.push(this.pending.subarray(0, n));
      s.left -= n;
      this.pending = this.pending.subarray(n);
      if (s.left === 0) this.state = { kind: 'done' };
    }
  }

  private header(block: Buffer): void {
    if (block.every((b) => b === 0)) throw new Error(`${this.what}: the archive holds no file`);
    const type = block[156] === 0 ? '0' : String.fromCharCode(block[156] ?? 0);
    const size = entrySize(block.subarray(124, 136));
    if (EXTENSION_TYPES.has(type)) {
      const padded = Math.ceil(size / BLOCK) * BLOCK;
      this.state = padded === 0 ? { kind: 'header' } : { kind: 'skip', left: padded };
      return;
    }
    if (type !== '0' && type !== '7') throw new Error(`${this.what} is not a regular file (tar type ${JSON.stringify(type)})`);
    this.state = size === 0 ? { kind: 'done' } : { kind: 'file', left: size };
  }
}

/** An entry's size: octal digits, or (GNU, for 8 GiB and more) big-endian base-256 with the top bit set. */
export function entrySize(field: Buffer): number {
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let n = (field[0] ?? 0) & 0x7f;
    for (const b of field.subarray(1)) n = n * 256 + b;
    return n;
  }
  const text = field.toString('latin1').replace(/[\0 ]+$/g, '').trim();
  if (!/^[0-7]*$/.test(text)) throw new Error(`bad tar size field ${JSON.stringify(text)}`);
  return text === '' ? 0 : parseInt(text, 8);
}
