"""ingest-conformance: contract tests and a bundled mock for the Invofox Ingest API."""

__version__ = "0.1.0"
