"""Background work that every node runs: periodic jobs, some of them once across the cluster (leased)."""
