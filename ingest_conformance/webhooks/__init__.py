"""The suite's webhook side: the receiver it runs for a session, signature verification, and correlation
of events with the run's uploads. Sits beside `wire` (imports wire, config and strategies only)."""
