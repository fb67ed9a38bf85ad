#!/usr/bin/env node
// Widens @riaskov/mmap-io to 64-bit sizes and offsets, then rebuilds the addon from source.
//
// Upstream reads map() size and offset, and advise()/sync() offset and length, as C int:
// a size >= 2^31 wraps (mmap fails with ENOMEM), an offset of 2^31 fails with EOVERFLOW and an
// offset of 2^32 silently maps offset 0. Genome files exceed 4 GiB, so we patch src/mmap-io.cc
// to read these arguments as non-negative safe integers (0 .. 2^53-1) and rebuild the .node file
// that dist/mmap-io.js loads (the path @mapbox/node-pre-gyp's binary.find returns).
//
// Runs as the project's postinstall (offline; node built-ins and the package's own
// node-pre-gyp / node-gyp / nan only). Idempotent: the source carries a marker, and the build
// dir carries a stamp naming the patched source's hash and the built binary's hash, so a second
// run only verifies and exits.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = '@riaskov/mmap-io';
const MARKER = 'seqserve-mmap64-patch v1';
const MARKER_PREFIX = 'seqserve-mmap64-patch';
const STAMP_NAME = 'seqserve-mmap64.json';
const TAG = 'patch-mmap-io';

function fail(message) {
  console.error(`${TAG}: ERROR: ${message}`);
  process.exit(1);
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

// --- locate the installed package --------------------------------------------------------------

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const projectRequire = createRequire(join(projectRoot, 'package.json'));
let pkgJsonPath;
try {
  pkgJsonPath = projectRequire.resolve(`${PKG}/package.json`);
} catch (err) {
  fail(`cannot resolve ${PKG} from ${projectRoot} (${err.message}); is it installed?`);
}
const pkgDir = dirname(pkgJsonPath);
const pkgVersion = JSON.parse(readFileSync(pkgJsonPath, 'utf8')).version;
const pkgRequire = createRequire(pkgJsonPath);
const srcPath = join(pkgDir, 'src', 'mmap-io.cc');
const rel = (p) => relative(projectRoot, p) || p;

// --- patch the source --------------------------------------------------------------------------

// Each edit: an exact upstream snippet (must occur exactly once) and its replacement.
// Written with \n; converted to the file's line ending (upstream ships CRLF).
const HELPER = `
// ${MARKER}: size, offset and length arguments are read as 64-bit integers.
// Upstream read them as C int, so values >= 2^31 wrapped or failed (EOVERFLOW / ENOMEM).
// Reads info[idx] as an integer in [0, min(2^53 - 1, max_value)]; undefined or null give
// default_value. On a bad value throws a JS TypeError/RangeError and returns false.
static bool seqserve_u64_arg(const Nan::FunctionCallbackInfo<v8::Value>& info, int idx,
                             uint64_t default_value, uint64_t max_value, const char* what,
                             uint64_t& out) {
    if (idx >= info.Length() || info[idx]->IsUndefined() || info[idx]->IsNull()) {
        out = default_value;
        return true;
    }
    if (!info[idx]->IsNumber()) {
        Nan::ThrowTypeError((std::string(what) + " must be a number").c_str());
        return false;
    }
    const double v = Nan::To<double>(info[idx]).FromJust();
    const uint64_t limit = std::min<uint64_t>(max_value, 9007199254740991ULL);
    if (!(v >= 0) || v > static_cast<double>(limit) || v != std::floor(v)) {
        Nan::Utf8String got(info[idx]);
        Nan::ThrowRangeError((std::string(what) + " must be an integer in [0, " +
                              std::to_string(limit) + "], got " + (*got ? *got : "?")).c_str());
        return false;
    }
    out = static_cast<uint64_t>(v);
    return true;
}

JS_FN(mmap_map) {`;

const EDITS = [
  {
    name: 'includes',
    from: '#include <string>\n',
    to: '#include <string>\n#include <algorithm>\n#include <cmath>\n#include <cstdint>\n#include <limits>\n#include <sys/types.h>\n',
  },
  {
    name: 'range helper before map()',
    from: '\nJS_FN(mmap_map) {',
    to: HELPER,
  },
  {
    name: 'map() size',
    from: '    const size_t    size            = static_cast<size_t>(get_v<int>(info[0]));\n',
    to: [
      '    uint64_t        size_arg        = 0;',
      '    uint64_t        offset_arg      = 0;',
      '    if (!seqserve_u64_arg(info, 0, 0, std::numeric_limits<size_t>::max(), "mmap: size (arg[0])", size_arg)) return;',
      '#ifdef _WIN32',
      '    if (!seqserve_u64_arg(info, 4, 0, std::numeric_limits<size_t>::max(), "mmap: offset (arg[4])", offset_arg)) return;',
      '#else',
      '    if (!seqserve_u64_arg(info, 4, 0, static_cast<uint64_t>(std::numeric_limits<off_t>::max()), "mmap: offset (arg[4])", offset_arg)) return;',
      '#endif',
      '    const size_t    size            = static_cast<size_t>(size_arg);',
      '',
    ].join('\n'),
  },
  {
    name: 'map() offset',
    from: '    const size_t    offset          = static_cast<size_t>(get_v<int>(info[4], 0));\n',
    to: [
      '#ifdef _WIN32',
      '    const size_t    offset          = static_cast<size_t>(offset_arg);',
      '#else',
      '    const off_t     offset          = static_cast<off_t>(offset_arg);',
      '#endif',
      '',
    ].join('\n'),
  },
  {
    name: 'advise() offset/length',
    from: [
      '    int ret = ([&]() -> int {',
      '        if (info.Length() == 2) {',
      '            int advise = get_v<int>(info[1], 0);',
      '            return do_mmap_advice(data, size, advise);',
      '        }',
      '        else {',
      '            int offset = get_v<int>(info[1], 0);',
      '            int length = get_v<int>(info[2], 0);',
      '            int advise = get_v<int>(info[3], 0);',
      '            return do_mmap_advice(data + offset, length, advise);',
      '        }',
      '    })();',
      '',
    ].join('\n'),
    to: [
      '    int ret = 0;',
      '    if (info.Length() == 2) {',
      '        int advise = get_v<int>(info[1], 0);',
      '        ret = do_mmap_advice(data, size, advise);',
      '    }',
      '    else {',
      '        uint64_t offset = 0;',
      '        uint64_t length = 0;',
      '        if (!seqserve_u64_arg(info, 1, 0, size, "advise(): offset (arg[1])", offset)) return;',
      '        if (!seqserve_u64_arg(info, 2, 0, size, "advise(): length (arg[2])", length)) return;',
      '        if (length > size - offset) return Nan::ThrowRangeError("advise(): offset + length exceeds the buffer length");',
      '        int advise = get_v<int>(info[3], 0);',
      '        ret = do_mmap_advice(data + offset, static_cast<size_t>(length), advise);',
      '    }',
      '',
    ].join('\n'),
  },
  {
    name: 'sync() offset/length',
    from: [
      '    int             offset          = get_v<int>(info[1], 0);',
      '    size_t          length          = get_v<int>(info[2], 0);',
      '',
    ].join('\n'),
    to: [
      '    const size_t    buf_size        = node::Buffer::Length(buf);',
      '    uint64_t        offset          = 0;',
      '    uint64_t        length          = 0;',
      '    if (!seqserve_u64_arg(info, 1, 0, buf_size, "sync(): offset (arg[1])", offset)) return;',
      '    if (!seqserve_u64_arg(info, 2, 0, buf_size, "sync(): length (arg[2])", length)) return;',
      '    if (length > buf_size - offset) return Nan::ThrowRangeError("sync(): offset + length exceeds the buffer length");',
      '',
    ].join('\n'),
  },
];

function countOf(haystack, needle) {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

function patchSource() {
  if (!existsSync(srcPath)) fail(`${rel(srcPath)} not found; ${PKG}@${pkgVersion} no longer ships its C++ source`);
  const original = readFileSync(srcPath, 'latin1');
  const eol = original.includes('\r\n') ? '\r\n' : '\n';
  const withEol = (s) => s.replace(/\n/g, eol);

  if (original.includes(MARKER_PREFIX)) {
    if (!original.includes(MARKER)) {
      fail(`${rel(srcPath)} was patched by another version of this script (expected marker "${MARKER}"); ` +
        `reinstall the package (rm -rf ${rel(pkgDir)} && npm ci) and run again`);
    }
    // Every replacement must be present once, and no upstream snippet may remain (except those
    // the replacement itself contains).
    const broken = EDITS.filter((e) => {
      const from = withEol(e.from);
      const to = withEol(e.to);
      return countOf(original, to) !== 1 || (!to.includes(from) && countOf(original, from) !== 0);
    });
    if (broken.length > 0) {
      fail(`${rel(srcPath)} carries the marker "${MARKER}" but does not contain the expected patched code ` +
        `(${broken.map((e) => e.name).join(', ')}); reinstall the package and run again`);
    }
    return { changed: false, source: original };
  }

  let text = original;
  const problems = [];
  for (const edit of EDITS) {
    const from = withEol(edit.from);
    const n = countOf(text, from);
    if (n !== 1) {
      problems.push(`${edit.name}: expected the upstream snippet exactly once, found it ${n} times`);
      continue;
    }
    text = text.replace(from, () => withEol(edit.to));
  }
  if (problems.length > 0) {
    fail(`${rel(srcPath)} (${PKG}@${pkgVersion}) does not look like the 1.4.3 source this patch was written for; ` +
      `nothing was changed.\n  ${problems.join('\n  ')}\n` +
      `Check whether upstream now reads size/offset as 64-bit and update scripts/patch-mmap-io.mjs.`);
  }
  // Residual 32-bit reads of size/offset/length would mean the edits missed something.
  const leftovers = [/get_v<int>\(info\[0\]\)/, /get_v<int>\(info\[4\]/, /int\s+offset\s*=\s*get_v<int>/, /length\s*=\s*get_v<int>/];
  const left = leftovers.filter((re) => re.test(text));
  if (left.length > 0) fail(`${rel(srcPath)}: 32-bit reads remain after patching (${left.join(', ')}); nothing was changed`);
  writeFileSync(srcPath, text, 'latin1');
  return { changed: true, source: text };
}

// --- find the binary dist/mmap-io.js loads -----------------------------------------------------

function bindingPath() {
  let binary;
  try {
    binary = pkgRequire('@mapbox/node-pre-gyp');
  } catch (err) {
    fail(`cannot load @mapbox/node-pre-gyp from ${rel(pkgDir)} (${err.message})`);
  }
  return binary.find(pkgJsonPath);
}

// Loads the package exactly as our code does (its main -> dist/mmap-io.js -> binary.find) in a
// fresh process and checks it rejects a negative offset with the patched message.
function probePatchedBinary() {
  const code = `
    const m = require(${JSON.stringify(pkgDir)});
    try { m.map(4096, m.PROT_READ, m.MAP_SHARED, 0, -4096); console.log('NO-THROW'); }
    catch (e) { console.log(String(e && e.message)); }`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  return { ok: r.status === 0 && out.includes('mmap: offset (arg[4]) must be an integer'), out };
}

function readStamp(stampPath) {
  try {
    return JSON.parse(readFileSync(stampPath, 'utf8'));
  } catch {
    return undefined;
  }
}

// node-gyp needs Node's headers. npm passes npm_config_nodedir when configured; when this script
// is run by hand, point node-gyp at the headers installed beside this node binary if they match,
// so nothing is downloaded.
function buildEnv() {
  const env = { ...process.env };
  if (env.npm_config_nodedir || env.NPM_CONFIG_NODEDIR) return env;
  const prefix = resolve(dirname(process.execPath), '..');
  const versionH = join(prefix, 'include', 'node', 'node_version.h');
  if (!existsSync(versionH)) return env;
  const h = readFileSync(versionH, 'utf8');
  const part = (name) => h.match(new RegExp(`#define\\s+${name}\\s+(\\d+)`))?.[1];
  const headerVersion = `v${part('NODE_MAJOR_VERSION')}.${part('NODE_MINOR_VERSION')}.${part('NODE_PATCH_VERSION')}`;
  if (headerVersion === process.version) env.npm_config_nodedir = prefix;
  return env;
}

function rebuild() {
  let preGypBin;
  try {
    preGypBin = join(dirname(pkgRequire.resolve('@mapbox/node-pre-gyp/package.json')), 'bin', 'node-pre-gyp');
  } catch (err) {
    fail(`cannot resolve @mapbox/node-pre-gyp from ${rel(pkgDir)} (${err.message})`);
  }
  // `rebuild` = clean + configure + build from source; binding.gyp's action_after_build copies the
  // product into module_path, the directory binary.find resolves. (`install --fallback-to-build`
  // would skip the build because a binary already exists.)
  const r = spawnSync(process.execPath, [preGypBin, 'rebuild'], {
    cwd: pkgDir,
    env: buildEnv(),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    fail(`building ${PKG} from the patched ${rel(srcPath)} failed (node-pre-gyp rebuild exited ${r.status ?? r.signal}${r.error ? `: ${r.error.message}` : ''})`);
  }
}

// --- main --------------------------------------------------------------------------------------

const { changed, source } = patchSource();
const sourceHash = sha256(source);
const stampPath = join(pkgDir, 'build', STAMP_NAME);
const target = bindingPath();
const stamp = readStamp(stampPath);
const upToDate =
  !changed &&
  stamp?.marker === MARKER &&
  stamp.sourceSha256 === sourceHash &&
  stamp.binary === target &&
  existsSync(target) &&
  stamp.binarySha256 === sha256(readFileSync(target));

if (upToDate && probePatchedBinary().ok) {
  console.log(`${TAG}: ${PKG}@${pkgVersion} already 64-bit patched and built (${rel(target)}); nothing to do`);
  process.exit(0);
}

const started = Date.now();
rebuild();
const built = bindingPath();
if (built !== target) fail(`binary path moved during the build (${target} -> ${built})`);
if (!existsSync(built)) fail(`node-pre-gyp rebuild finished but ${rel(built)}, the file dist/mmap-io.js loads, does not exist`);
const probe = probePatchedBinary();
if (!probe.ok) fail(`rebuilt ${PKG}, but the binary dist/mmap-io.js loads (${rel(built)}) is not the patched one: ${probe.out}`);
writeFileSync(stampPath, `${JSON.stringify({
  marker: MARKER,
  sourceSha256: sourceHash,
  binary: built,
  binarySha256: sha256(readFileSync(built)),
  node: process.version,
}, null, 2)}\n`);
console.log(`${TAG}: ${changed ? `patched ${rel(srcPath)} to 64-bit size/offset/length` : `${rel(srcPath)} already 64-bit patched`}; ` +
  `rebuilt ${rel(built)} from it in ${((Date.now() - started) / 1000).toFixed(1)}s`);
