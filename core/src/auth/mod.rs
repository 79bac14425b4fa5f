//! Device-code login and token management (placeholder; being written).
