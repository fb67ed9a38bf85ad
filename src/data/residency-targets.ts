/**
 * What --lock and --keep-warm name (`all`, assemblies, sequences), resolved to spans of the
 * mapped files: the unit that is locked, kept warm and measured.
 */
import { DataError } from '../core/errors.js';
import { fileSpan } from '../formats/fasta/offset.js';
import type { MappedFile } from '../store/mapped-file.js';
import { mmap } from '../store/mmap-binding.js';
import type { Assemblies, Assembly } from './assemblies.js';
import type { SequenceRecord } from './sequence-record.js';

/** Bytes [start, end) of one mapped file, start on a page boundary, for one assembly. */
export interface ResidencySpan {
  assembly: string;
  file: MappedFile;
  start: number;
  end: number;
}

/**
 * The spans `names` select, each file's bytes at most once per assembly (overlaps merged).
 * Throws DataError naming the setting and the unknown name.
 */
export function selectSpans(assemblies: Assemblies, names: readonly string[], setting: string): ResidencySpan[] {
  const spans: ResidencySpan[] = [];
  for (const name of names) spans.push(...spansOf(assemblies, name, setting));
  return mergeSpans(spans);
}

/** Bytes the spans cover (each file's bytes once per assembly). */
export function spanBytes(spans: readonly ResidencySpan[]): number {
  return spans.reduce((sum, s) => sum + (s.end - s.start), 0);
}

function spansOf(assemblies: Assemblies, name: string, setting: string): ResidencySpan[] {
  if (name === 'all') return assemblies.list.flatMap(wholeFiles);
  const assembly = assemblies.get(name);
  if (assembly) return wholeFiles(assembly);
  const colon = name.indexOf(':');
  const [owner, sequence] =
    colon > 0 && assemblies.get(name.slice(0, colon)) ? [assemblies.get(name.slice(0, colon))!, name.slice(colon + 1)] : [assemblies.default, name];
  const found = owner.store.get(sequence);
  const file = found && owner.store.mappedFile(found.record.file);
  if (found && file) return [{ assembly: owner.name, file, ...recordSpan(found.record, file) }];
  if (found) return []; // an empty sequence: nothing mapped
  const known = assemblies.list.map((a) => a.name).join(', ');
  throw new DataError(
    `${setting}: no assembly or sequence is named "${name}"; name all, an assembly (${known}), ASSEMBLY:SEQUENCE, or a sequence of the default assembly (${assemblies.default.name})`,
  );
}

function wholeFiles(assembly: Assembly): ResidencySpan[] {
  return assembly.store.mappedFiles().map((file) => ({ assembly: assembly.name, file, start: 0, end: file.size }));
}

/** Where a sequence's bytes lie in its file, widened to whole pages (a bgzipped one: the whole file). */
function recordSpan(record: SequenceRecord, file: MappedFile): { start: number; end: number } {
  let [start, end] = [0, file.size];
  if (record.format === 'fasta' || record.format === 'raw') [start, end] = record.length > 0 ? fileSpan(record, 0, record.length) : [0, 0];
  else if (record.format === '2bit' && record.twoBit) {
    // From its record header (dnaSize, N and mask blocks, reserved word) to the last packed byte.
    const { layout } = record.twoBit;
    [start, end] = [layout.nBlocksAt - 8, layout.dnaOffset + Math.ceil(layout.length / 4)];
  }
  return { start: start - (start % mmap.PAGESIZE), end: Math.min(file.size, end) };
}

/** Per assembly and file, overlapping or touching spans become one. */
function mergeSpans(spans: ResidencySpan[]): ResidencySpan[] {
  const sorted = [...spans].sort((a, b) => a.assembly.localeCompare(b.assembly) || a.file.path.localeCompare(b.file.path) || a.start - b.start);
  const out: ResidencySpan[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && last.assembly === s.assembly && last.file === s.file && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}
