"""The dashboard's reads: one module and one selector per panel. Each takes a `DashboardScope` and
aggregates in the database with a fixed number of queries, whatever the number of units."""
