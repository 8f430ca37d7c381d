"""Examples per second for each public strategy (files, filenames, multipart bodies).

Usage: python bench/strategies_rate.py [--examples N]

Each strategy is drawn from through hypothesis' own engine (``@given``, generate phase only), after a
short warm-up that fills the template caches, so the figure is what a test using the strategy sees.
Multipart strategies also encode their body to bytes, as a test sending it would.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ingest_conformance import strategies as ics


def _size(value: Any) -> int:
    if isinstance(value, ics.SampleFile):
        return value.size
    if isinstance(value, ics.UploadRequest):
        return len(value.body.to_bytes())
    if isinstance(value, ics.JsonRequest):
        return len(value.content())
    if isinstance(value, ics.SampleFilename):
        return len(value.disposition)
    return 0


def measure(strategy: st.SearchStrategy[Any], examples: int) -> tuple[float, float]:
    """(examples per second, mean bytes per example)."""
    count = [0, 0]

    def run(n: int) -> float:
        @settings(
            max_examples=n,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def body(value: Any) -> None:
            count[0] += 1
            count[1] += _size(value)

        start = time.perf_counter()
        body()
        return time.perf_counter() - start

    run(max(5, examples // 10))  # warm the template caches
    count[:] = [0, 0]
    elapsed = run(examples)
    return count[0] / elapsed, count[1] / max(1, count[0])


CASES: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "pdf_files": ics.pdf_files,
    "png_files": ics.png_files,
    "jpeg_files": ics.jpeg_files,
    "tiff_files": ics.tiff_files,
    "zip_files": ics.zip_files,
    "valid_files": ics.valid_files,
    "corrupt_files": ics.corrupt_files,
    "empty_files": ics.empty_files,
    "mislabelled_files": ics.mislabelled_files,
    "unsupported_files": ics.unsupported_files,
    "hostile_zip_files": ics.hostile_zip_files,
    "sample_files": ics.sample_files,
    "filenames": ics.filenames,
    "upload_requests (multipart)": lambda: ics.upload_requests(run_tag="bench", base_url="http://127.0.0.1:1"),
    "single_upload_requests (multipart)": lambda: ics.single_upload_requests(run_tag="bench"),
    "invalid_upload_requests (multipart)": lambda: ics.invalid_upload_requests(run_tag="bench"),
    "by_url_requests (JSON)": lambda: ics.by_url_requests(base_url="http://127.0.0.1:1", run_tag="bench"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500, help="examples per strategy (default 500)")
    args = parser.parse_args()
    print(f"{'strategy':<38} {'examples/s':>11} {'mean bytes':>11}")
    for name, build in CASES.items():
        rate, mean = measure(build(), args.examples)
        print(f"{name:<38} {rate:>11.0f} {mean:>11.0f}")


if __name__ == "__main__":
    main()
