"""`python -m ingest_conformance` = the `ingest-conformance` command."""

import sys

from ingest_conformance.cli import main

sys.exit(main())
