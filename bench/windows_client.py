"""
One mode of the windows bench (bench/windows.ts): random windows of L bases into numpy arrays
of codes (A=0 C=1 G=2 T=3, other 4), in batches of B windows, for `seconds` seconds. Prints one
JSON line: windows, seconds, client CPU seconds, and a sample of at least 1,000 windows (name,
start, codes as hex; the run goes on past `seconds` until it has them) that bench/windows.ts
checks against the bench genome's bases.

  a  seqserve GET /random?format=npy&encoding=codes, read from the socket by numpy
  b  seqserve GET /random?format=json, json.loads, each sequence string to codes
  c  seqserve GET /chrom/NAME/range, one request a window, one keep-alive connection
  d  pysam.FastaFile.fetch, one call a window (local file)
  e  pyfaidx.Fasta(as_raw=True)[name][start:end], one slice a window (local file)
  x  the ceiling: one /chrom/NAME/range of BATCH x LENGTH bases a request (zero-copy on the
     server), cut into windows: what the loopback carries on this machine

usage: python3 bench/windows_client.py MODE ORIGIN FASTA NAME LENGTH BATCH SECONDS
"""
import http.client
import json
import sys
import time
import urllib.parse

import numpy as np

mode, origin, fasta, name = sys.argv[1:5]
length, batch, seconds = int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
host, port = urllib.parse.urlsplit(origin).hostname, urllib.parse.urlsplit(origin).port

codes = np.full(256, 4, np.uint8)
for letter, code in zip(b"ACGTacgt", [0, 1, 2, 3, 0, 1, 2, 3]):
    codes[letter] = code


def random_batches():
    """Starts of batch after batch of uniform random windows (modes c, d, e)."""
    rng = np.random.default_rng(7)
    total = genome_length - length + 1
    while True:
        yield rng.integers(0, total, batch)


def seqserve(mode):
    connection = http.client.HTTPConnection(host, port)
    fmt = "npy&encoding=codes" if mode == "a" else "json"
    seed = 0
    while True:
        seed += 1
        connection.request("GET", f"/random?length={length}&count={batch}&seed={seed}&format={fmt}")
        response = connection.getresponse()
        assert response.status == 200, response.read()[:300]
        if mode == "a":
            windows = np.lib.format.read_array(response)
            coords = np.lib.format.read_array(response)
            response.read()
            yield windows, coords["start"], coords["sequence"]
        else:
            answer = json.loads(response.read())
            windows = np.empty((batch, length), np.uint8)
            for k, w in enumerate(answer["sequences"]):
                windows[k] = codes[np.frombuffer(w["sequence"].encode("ascii"), np.uint8)]
            yield windows, [w["start"] for w in answer["sequences"]], [w["name"] for w in answer["sequences"]]


def ranges():
    connection = http.client.HTTPConnection(host, port)
    for starts in random_batches():
        windows = np.empty((batch, length), np.uint8)
        for k, s in enumerate(starts):
            connection.request("GET", f"/chrom/{name}/range?start={s}&end={s + length}")
            response = connection.getresponse()
            windows[k] = codes[np.frombuffer(response.read(), np.uint8)]
        yield windows, starts, [name] * batch


def ceiling():
    connection = http.client.HTTPConnection(host, port)
    for starts in random_batches():
        s = min(int(starts[0]), genome_length - batch * length)
        connection.request("GET", f"/chrom/{name}/range?start={s}&end={s + batch * length}")
        response = connection.getresponse()
        windows = codes[np.frombuffer(response.read(), np.uint8)].reshape(batch, length)
        yield windows, [s + k * length for k in range(batch)], [name] * batch


def local(fetch):
    for starts in random_batches():
        windows = np.empty((batch, length), np.uint8)
        for k, s in enumerate(starts):
            windows[k] = codes[np.frombuffer(fetch(int(s), int(s) + length).encode("ascii"), np.uint8)]
        yield windows, starts, [name] * batch


if mode in "de":
    if mode == "d":
        import pysam

        reader = pysam.FastaFile(fasta)
        fetch = lambda s, e: reader.fetch(name, s, e)  # noqa: E731
    else:
        import pyfaidx

        record = pyfaidx.Fasta(fasta, as_raw=True)[name]
        fetch = lambda s, e: record[s:e]  # noqa: E731
sources = {"a": lambda: seqserve("a"), "b": lambda: seqserve("b"), "c": ranges, "d": lambda: local(fetch), "e": lambda: local(fetch), "x": ceiling}
source = sources[mode]
genome_length = int(open(fasta + ".fai").readline().split("\t")[1])

sample = []
done = 0
started, cpu = time.perf_counter(), time.process_time()
for windows, starts, names in source():
    done += windows.shape[0]
    if len(sample) < 1000:  # ~50 windows of each of the first batches, checked after the run
        for k in range(0, windows.shape[0], max(1, windows.shape[0] // 50)):
            sample.append([str(names[k]), int(starts[k]), windows[k].tobytes().hex()])
    if time.perf_counter() - started >= seconds and len(sample) >= 1000:
        break
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
print(json.dumps({"mode": mode, "length": length, "batch": batch, "windows": done, "seconds": elapsed, "cpu": cpu, "sample": sample}))
