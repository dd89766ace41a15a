"""Bridges to other chat networks: a worker per bridge, run once across the cluster by the supervisor."""
