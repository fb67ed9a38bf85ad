/** `seqserve prepare INPUT OUTDIR`: the streaming conversion (src/prepare), with progress and Ctrl-C. */
import { prepareCommand as prepare } from '../prepare/prepare.js';
import { Progress } from '../core/progress.js';
import { consoleLog } from './console-log.js';
import { interruptible } from './interrupt.js';
import type { ParsedCommand } from './usage.js';

export async function prepareCommand({ values, positionals }: ParsedCommand): Promise<void> {
  const [input, outDir] = positionals as [string, string];
  const log = consoleLog();
  try {
    await interruptible((signal) =>
      prepare(input, outDir, {
        force: values.force === true,
        log,
        signal,
        onProgress: (done, total) => {
          log.progress ??= new Progress('prepare', total);
          log.progress.update(done);
          // The closing line before the summary: the input is read, what is left is quick.
          if (done === total) log.progress.finish();
        },
      }),
    );
  } finally {
    log.progress?.stop();
  }
}
