"""Pages of the inspections app, split by noun. Order of checks in every view: a role that may never use
the page gets 403, then the access gate (out of scope = 404), then the service (which re-checks)."""
