"""HTTP and WebSocket adapters: parse, authenticate, call one action, serialize. Nothing else."""
