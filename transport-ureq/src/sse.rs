//! Server-sent event streams (placeholder; being written).
