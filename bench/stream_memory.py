"""Stream a huge request body and print peak RSS: memory must stay flat whatever the size.

Usage: python bench/stream_memory.py [--size BYTES] [--chunked]

Builds a multipart upload of exactly ``--size`` bytes (default 1 GiB) whose file part is a valid,
padded PDF, iterates it the way httpx or a raw socket writer would (optionally in chunked transfer
coding) while a CRC-32 reads every byte, and reports throughput, RSS before and after, and the peak
RSS seen while streaming.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import time
import zlib

import psutil

from ingest_conformance.strategies import Part, sized_upload_body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1 << 30, help="total body size in bytes (default 1 GiB)")
    parser.add_argument("--chunked", action="store_true", help="wrap the body in chunked transfer coding")
    parser.add_argument("--chunk-size", type=int, default=1 << 16)
    args = parser.parse_args()

    process = psutil.Process(os.getpid())
    gc.collect()
    before = process.memory_info().rss
    body = sized_upload_body(args.size, extra_parts=[Part.json("info", {"clientData": {"bench": "stream"}})])
    assert body.content_length == args.size
    stream = body.iter_chunked(args.chunk_size) if args.chunked else body.iter_bytes(args.chunk_size)
    sent = 0
    checksum = 0
    peak = before
    start = time.perf_counter()
    for index, chunk in enumerate(stream):
        sent += len(chunk)
        checksum = zlib.crc32(chunk, checksum)  # a consumer that reads every byte, as a socket would
        if index % 256 == 0:
            peak = max(peak, process.memory_info().rss)
    elapsed = time.perf_counter() - start
    after = process.memory_info().rss
    peak = max(peak, after)
    max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux: the whole process life

    mib = 1024 * 1024
    print(f"body size          {args.size} bytes ({args.size / mib:.0f} MiB){' chunked' if args.chunked else ''}")
    print(f"bytes produced     {sent} (crc32 {checksum:08x})")
    print(f"throughput         {sent / mib / elapsed:.0f} MiB/s ({elapsed:.2f} s)")
    print(f"RSS before         {before / mib:.1f} MiB")
    print(f"RSS after          {after / mib:.1f} MiB")
    print(f"peak RSS sampled   {peak / mib:.1f} MiB (growth {(peak - before) / mib:.1f} MiB)")
    print(f"ru_maxrss          {max_rss_kib / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
