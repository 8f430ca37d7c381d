"""`python -m ingest_conformance` = the `ingest-conformance` command."""

import sys

from ingest_conformance.cli.main import main

sys.exit(main())
