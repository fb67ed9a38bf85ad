/** PlanStream: a PlanWriter's or WindowArrays' answer as a readable stream, written at the pace the socket drains. */
import { Readable } from 'node:stream';
import { chunkBytes } from './output-chunks.js';

/** What writes an answer in slices: PlanWriter (text) or WindowArrays (NumPy). */
export interface AnswerWriter {
  readonly isDone: boolean;
  /** About maxBytes of the answer (and at most maxRegions regions), empty once done. */
  step(maxBytes: number, maxRegions: number): Buffer[];
}

/**
 * The answer as a stream: each read runs one slice of the writer on the next turn of the event
 * loop (setImmediate), so a large batch never holds the loop for long, and nothing is written
 * faster than the socket drains. A client that hangs up destroys the stream and stops the work.
 */
export class PlanStream extends Readable {
  private scheduled = false;

  constructor(
    private readonly writer: AnswerWriter,
    private readonly sliceBytes = 1 << 20,
    private readonly sliceRegions = 8192,
  ) {
    super({ highWaterMark: chunkBytes * 4 });
  }

  override _read(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.destroyed) return;
      try {
        for (const chunk of this.writer.step(this.sliceBytes, this.sliceRegions)) this.push(chunk);
        if (this.writer.isDone) this.push(null);
      } catch (e) {
        this.destroy(e as Error);
      }
    });
  }
}
