{
    # seqserve fork: built by npm's own `node-gyp rebuild` (no node-pre-gyp, no prebuilt download).
    # C++20 because Node 24's V8 headers require it; Node 20's and 22's headers build with it too.
    "targets": [{
        "target_name": "mmap_io",
        "sources": [ "src/mmap-io.cc" ],
        "include_dirs": [
            "<!(node -e \"require('nan')\")"
        ],
        "cflags_cc": [
            "-std=c++20"
        ],
        "conditions": [
            [ 'OS=="mac"',
                { "xcode_settings": {
                    'OTHER_CPLUSPLUSFLAGS' : ['-std=c++20','-stdlib=libc++'],
                    'OTHER_LDFLAGS': ['-stdlib=libc++']
                }}
            ]
        ]
    }]
}
