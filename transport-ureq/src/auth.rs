//! Device-code login driver (placeholder; being written).
