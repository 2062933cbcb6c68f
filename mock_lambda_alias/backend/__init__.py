"""In-process Lambda state per account and region, one module per resource family."""
