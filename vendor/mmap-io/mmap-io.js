"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
// seqserve fork: the addon npm's `node-gyp rebuild` built at install in build/Release (upstream
// looked it up through @mapbox/node-pre-gyp, which also downloaded prebuilt binaries). A build for
// this Node's ABI in build/node-abi-N, which bench/node-versions.ts adds to compare two Node
// versions, comes first: it is checked before loading, because after a failed dlopen of a wrong-ABI
// build no other copy of the addon can load in this process. node-gyp rebuild deletes build/ whole.
const abi_build_ = require('path').join(__dirname, 'build', `node-abi-${process.versions.modules}`, 'mmap_io.node');
const mmap_lib_raw_ = require(require('fs').existsSync(abi_build_) ? abi_build_ : './build/Release/mmap_io.node');
// snatch the raw C++-sync func
const raw_sync_fn_ = mmap_lib_raw_.sync_lib_private__;
// Hide the original C++11 func from users
delete mmap_lib_raw_.sync_lib_private__;
// Take care of all the param juggling here instead of in C++ code, by making
// some overloads, and doing some argument defaults /ozra
mmap_lib_raw_.sync = function (buf, par_a, par_b, par_c, par_d) {
    if (typeof par_a === "boolean") {
        raw_sync_fn_(buf, 0, buf.length, par_a, par_b || false);
    }
    else {
        raw_sync_fn_(buf, par_a || 0, par_b || buf.length, par_c || false, par_d || false);
    }
};
// mmap_lib_raw_.sync = sync_
const mmap = mmap_lib_raw_;
module.exports = mmap;
exports.default = mmap;
